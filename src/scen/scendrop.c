/*
 * scendrop.c - the `drop` statement of scenario files: a targeted loss on
 * the lab's wire, exact and repeatable (docs/scenario-files.md):
 *
 *   drop from client to server flags A after FIN nth 1 count 1
 *
 * drops the first segment the client sends the server that carries
 * exactly the ACK flag, counted from the moment the client received the
 * server's FIN: the client's last ACK. lab/impair.c makes it with
 * nftables in the sending host's namespace.
 *
 * And the words after a link's hosts, its delay, jitter and random loss:
 *
 *   link client server delay 10ms jitter 1ms loss 5% from client
 *
 * and its rate, duplication and reordering:
 *
 *   link client server rate 1mbit duplicate 10% reorder 5% from server
 *
 * (without `from`, both directions), made by lab/delay.c.
 */
#include <string.h>

#include "scen/scenint.h"

/* "FA", "A", "S", "SA", "R", "RA", "PA", "any": exact TCP flag bits. */
static int
flag_bits(const char *s, unsigned char *bits)
{
	static const char letters[] = "FSRPAUEC";	/* bit 0 .. bit 7, as on the wire */
	const char *at;

	*bits = 0;
	if (strcmp(s, "any") == 0)
		return 0;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if ((at = strchr(letters, *s)) == NULL)
			return -1;
		*bits |= (unsigned char)(1u << (at - letters));
	}
	return 0;
}

int
d_drop(struct parser *p, struct words *w)
{
	struct drop_spec *d;
	int i = 1, h1, h2, flags_set = 0;
	long v;

	if (p->ndrops == CAT_MAX_DROPS)
		return fail(p, "too many drops (at most %d)", CAT_MAX_DROPS);
	if (w->n < 5 || strcmp(w->w[1], "from") != 0 || strcmp(w->w[3], "to") != 0)
		return fail(p, "'drop' reads: drop from HOST to HOST [flags FLAGS] [after FIN] "
		    "[nth N] [count K]");
	if ((h1 = host_index(p, w->w[2])) < 0 || (h2 = host_index(p, w->w[4])) < 0)
		return fail(p, "no host '%s' declared above",
		    host_index(p, w->w[2]) < 0 ? w->w[2] : w->w[4]);
	if (h1 == h2)
		return fail(p, "a drop is between two different hosts");
	d = &p->t->drops[p->ndrops];
	memset(d, 0, sizeof(*d));
	d->nth = d->count = 1;
	for (i = 5; i < w->n; i++) {
		const char *o = w->w[i], *val = i + 1 < w->n ? w->w[i + 1] : NULL;

		if (val == NULL)
			return fail(p, "'%s' wants a value after it", o);
		if (strcmp(o, "flags") == 0 && !flags_set) {
			if (flag_bits(val, &d->flags) < 0)
				return fail(p, "bad flags '%s': letters of F S R P A U E C "
				    "(the exact set: A is a bare ACK, FA a FIN with its ACK), or any", val);
			flags_set = 1;
		} else if (strcmp(o, "after") == 0 && !d->after_fin) {
			if (strcmp(val, "FIN") != 0)
				return fail(p, "'after %s': a drop counts from the start or 'after FIN' "
				    "(the sender received the receiver's FIN)", val);
			d->after_fin = 1;
		} else if (strcmp(o, "nth") == 0) {
			if (number(p, val, 1, 16, &v) < 0)
				return -1;
			d->nth = (int)v;
		} else if (strcmp(o, "count") == 0) {
			if (number(p, val, 1, 16, &v) < 0)
				return -1;
			d->count = (int)v;
		} else {
			return fail(p, "unexpected '%s' in the drop (flags, after, nth, count, each once)", o);
		}
		i++;
	}
	if (d->nth + d->count > 17)
		return fail(p, "nth + count is at most 17 (the rules count segments one by one)");
	d->from = p->t->hosts[h1];
	d->to = p->t->hosts[h2];
	d->line = p->line;
	p->ndrops++;
	return 0;
}

/* "5%": 0 to 100. */
static int
percent(struct parser *p, const char *word, const char *val, unsigned *pct)
{
	char num[8];
	size_t n = strlen(val);
	long v;

	if (n < 2 || n > sizeof(num) || val[n - 1] != '%')
		return fail(p, "%s '%s': a percentage, 0%% to 100%%", word, val);
	memcpy(num, val, n - 1);
	num[n - 1] = '\0';
	if (number(p, num, 0, 100, &v) < 0)
		return -1;
	*pct = (unsigned)v;
	return 0;
}

/*
 * "1mbit": digits, then bit, kbit, mbit or gbit (powers of 1000, as tc
 * reads them); bits per second, from 8 kbit to 10 gbit. No "bps": tc
 * reads that as bytes, and the two are too easily mixed up.
 */
static int
rate(struct parser *p, const char *val, uint64_t *bps)
{
	static const struct { const char *unit; uint64_t mult; } units[] = {
		{ "bit", 1 }, { "kbit", 1000 }, { "mbit", 1000000 }, { "gbit", 1000000000 },
	};
	uint64_t x = 0;
	const char *c = val;
	size_t u;

	for (; *c >= '0' && *c <= '9' && c - val < 12; c++)
		x = x * 10 + (uint64_t)(*c - '0');
	for (u = 0; c != val && u < sizeof(units) / sizeof(units[0]); u++)
		if (strcmp(c, units[u].unit) == 0)
			break;
	if (c == val || u == sizeof(units) / sizeof(units[0]))
		return fail(p, "rate '%s': a number and a unit, bit kbit mbit or gbit (1mbit, "
		    "500kbit)", val);
	x *= units[u].mult;
	if (x < 8000 || x > 10000000000ULL)
		return fail(p, "rate '%s': from 8kbit to 10gbit", val);
	*bps = x;
	return 0;
}

int
link_impairments(struct parser *p, struct words *w, int i, struct link_spec *l)
{
	static const char *const opts[] = { "delay", "jitter", "loss", "rate", "duplicate",
	    "reorder" };
	unsigned delay = 0, jitter = 0, loss = 0, dup = 0, reorder = 0;
	uint64_t bps = 0;
	int dirs = 3, have = 0;

	for (; i < w->n; i++) {
		const char *o = w->w[i], *val = i + 1 < w->n ? w->w[i + 1] : NULL;
		size_t k;
		int rc = 0;

		for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (strcmp(o, opts[k]) == 0)
				break;
		if (k == sizeof(opts) / sizeof(opts[0]) && strcmp(o, "from") != 0)
			return fail(p, "unexpected '%s' on the link (delay, jitter, loss, rate, "
			    "duplicate, reorder, from)", o);
		if (k < sizeof(opts) / sizeof(opts[0]) && (have & (1 << k)))
			return fail(p, "'%s' twice on one link", o);
		if (val == NULL)
			return fail(p, "'%s' wants a value after it", o);
		switch (k) {
		case 0:
			if ((rc = duration(p, val, &delay)) == 0 && delay > 10000)
				return fail(p, "a delay of at most 10 s");
			break;
		case 1:
			rc = duration(p, val, &jitter);
			break;
		case 2:
			rc = percent(p, o, val, &loss);
			break;
		case 3:
			rc = rate(p, val, &bps);
			break;
		case 4:
			rc = percent(p, o, val, &dup);
			break;
		case 5:
			rc = percent(p, o, val, &reorder);
			break;
		default:	/* from */
			if (dirs != 3)
				return fail(p, "'from' twice on one link");
			if (strcmp(val, l->a) == 0)
				dirs = 1;
			else if (strcmp(val, l->b) == 0)
				dirs = 2;
			else
				return fail(p, "'from %s': the link joins %s and %s", val, l->a, l->b);
			i++;
			continue;
		}
		if (rc < 0)
			return -1;
		have |= 1 << k;
		i++;
	}
	if (jitter > delay)
		return fail(p, "a jitter larger than the delay would send packets back in time");
	if (have == 0 && dirs != 3)
		return fail(p, "'from' says which way an impairment goes: delay, jitter, loss, "
		    "rate, duplicate or reorder");
	for (int d = 0; d < 2; d++)
		if (dirs & (1 << d)) {
			l->delay_ms[d] = delay;
			l->jitter_ms[d] = jitter;
			l->loss_pct[d] = loss;
			l->rate_bps[d] = bps;
			l->dup_pct[d] = dup;
			l->reorder_pct[d] = reorder;
		}
	return 0;
}
