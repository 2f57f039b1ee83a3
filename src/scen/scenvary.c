/*
 * scenvary.c - one test, several variants: `vary link A B delay D1 D2 ...`
 * runs the test's race series once per delay (docs/scenario-files.md), and
 * `check outcome NAME with delay D CMP N[%]` judges how often an outcome
 * came in one variant's runs. The variants' runner is lab/series.c.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "scen/scenint.h"

/* The outcomes the race's classifier names (checks.h), and "unknown": a
 * run it could not classify. */
static const char *const outcome_names[] = {
	RACE_SERVER, RACE_CLIENT, RACE_BOTH, RACE_RST, "unknown", NULL,
};

/* vary link A B delay D1 D2 ...: each delay a variant, in the order written. */
int
d_vary(struct parser *p, struct words *w)
{
	struct vary_spec *v = &p->t->vary;
	int i, k, ha, hb;

	if (v->n > 0)
		return fail(p, "a second 'vary' line (the first is on line %d)", v->line);
	if (w->n < 2 || strcmp(w->w[1], "link") != 0)
		return fail(p, "'vary' varies a link's delay: vary link HOST HOST delay D D...");
	if (w->n < 4)
		return fail(p, "'vary link' wants two hosts: vary link HOST HOST delay D D...");
	if ((ha = host_index(p, w->w[2])) < 0 || (hb = host_index(p, w->w[3])) < 0)
		return fail(p, "no host '%s' declared above",
		    host_index(p, w->w[2]) < 0 ? w->w[2] : w->w[3]);
	if (ha == hb)
		return fail(p, "a link joins two different hosts");
	if (w->n < 5 || strcmp(w->w[4], "delay") != 0)
		return fail(p, "'vary link %s %s' wants what varies: delay D D...", w->w[2], w->w[3]);
	if (w->n < 6)
		return fail(p, "'vary link ... delay' wants the delays, one per variant: 0ms 1ms 10ms");
	if (w->n - 5 > CAT_MAX_VARIANTS)
		return fail(p, "too many variants (at most %d)", CAT_MAX_VARIANTS);
	for (i = 5; i < w->n; i++) {
		unsigned ms;

		if (duration(p, w->w[i], &ms) < 0)
			return -1;
		if (ms > 10000)
			return fail(p, "a delay of at most 10 s");
		for (k = 0; k < v->n; k++)
			if (v->delay_ms[k] == ms)
				return fail(p, "the delay %s is listed twice", w->w[i]);
		v->delay_ms[v->n++] = ms;
	}
	v->a = p->t->hosts[ha];
	v->b = p->t->hosts[hb];
	v->line = p->line;
	return 0;
}

/*
 * outcome NAME with delay D CMP N[%]: words from *i on. CMP is ==, >= or
 * <=; N a count of runs, or with % a share of the variant's runs.
 */
int
scen_outcome_check(struct parser *p, const struct words *w, int *i, struct check_spec *k)
{
	const struct vary_spec *v = &p->t->vary;
	const char *name, *op, *lim;
	char num[16];
	unsigned ms;
	size_t n;
	long x;
	int j;

	if (v->n == 0)
		return fail(p, "'outcome' counts the runs of a variant: no 'vary' line above");
	if (!p->t->repeat_in_one_lab)
		return fail(p, "'outcome' counts a race series: no 'repeat in-one-lab' line above");
	if (*i + 6 > w->n)
		return fail(p, "'outcome' wants: outcome NAME with delay D ==|>=|<= N[%%]");
	name = w->w[(*i)++];
	for (j = 0; outcome_names[j] != NULL; j++)
		if (strcmp(outcome_names[j], name) == 0)
			break;
	if (outcome_names[j] == NULL)
		return fail(p, "'%s' is not an outcome of the race (server_time_wait, "
		    "client_time_wait, both_time_wait, rst, unknown)", name);
	k->state = outcome_names[j];
	if (strcmp(w->w[*i], "with") != 0 || strcmp(w->w[*i + 1], "delay") != 0)
		return fail(p, "'outcome %s' wants the variant it counts: with delay D", name);
	*i += 2;
	if (duration(p, w->w[*i], &ms) < 0)
		return -1;
	for (j = 0; j < v->n; j++)
		if (v->delay_ms[j] == ms)
			break;
	if (j == v->n)
		return fail(p, "no variant with delay %s on the 'vary' line (line %d)", w->w[*i],
		    v->line);
	k->variant = j;
	(*i)++;
	op = w->w[(*i)++];
	if (strcmp(op, "==") == 0)
		k->cmp = '=';
	else if (strcmp(op, ">=") == 0)
		k->cmp = '>';
	else if (strcmp(op, "<=") == 0)
		k->cmp = '<';
	else
		return fail(p, "'%s' is not a comparison: ==, >= or <=", op);
	lim = w->w[(*i)++];
	n = strlen(lim);
	k->percent = n > 0 && lim[n - 1] == '%';
	if (n - (size_t)k->percent >= sizeof(num))
		return fail(p, "'%s' is not a number of runs or a share (0%% to 100%%)", lim);
	memcpy(num, lim, n - (size_t)k->percent);
	num[n - (size_t)k->percent] = '\0';
	if (number(p, num, 0, k->percent ? 100 : 50000, &x) < 0)
		return -1;
	k->lim = (int)x;
	return 0;
}

/*
 * Once the file is read: variants run the race series (one lab, a client
 * per run), and only the checks that judge a series make sense there; a
 * check of one run (a snapshot, a capture) would judge one variant's last
 * run at most, and say nothing of the others.
 */
int
scen_vary_complete(struct parser *p)
{
	const struct vary_spec *v = &p->t->vary;
	int i;

	if (v->n == 0)
		return 0;
	if (!p->t->repeat_in_one_lab) {
		p->line = p->t->vary.line;
		return fail(p, "'vary' runs a race series per variant: it needs 'repeat in-one-lab'");
	}
	/* A link line for the pair keeps its jitter, which no delay may be
	 * below; without one, each delayed variant adds a link. */
	for (i = 0; i < p->nlinks; i++) {
		const struct link_spec *l = &p->t->links[i];
		int k;

		if (!((strcmp(l->a, v->a) == 0 && strcmp(l->b, v->b) == 0) ||
		    (strcmp(l->a, v->b) == 0 && strcmp(l->b, v->a) == 0)))
			continue;
		for (k = 0; k < v->n; k++)
			if (v->delay_ms[k] < l->jitter_ms[0] || v->delay_ms[k] < l->jitter_ms[1]) {
				p->line = v->line;
				return fail(p, "the delay %ums is below the jitter of link %s %s "
				    "(line %d)", v->delay_ms[k], l->a, l->b, l->line);
			}
		break;
	}
	if (i == p->nlinks && p->nlinks == CAT_MAX_LINKS) {
		p->line = v->line;
		return fail(p, "too many links (at most %d) for the vary line's own", CAT_MAX_LINKS);
	}
	for (i = 0; i < p->nchk; i++)
		if (p->t->checks[i].kind != CK_RACE && p->t->checks[i].kind != CK_OUTCOME) {
			p->line = p->t->vary.line;
			return fail(p, "a test with 'vary' takes only 'race' and 'outcome' checks "
			    "(check %d is neither)", i + 1);
		}
	return 0;
}
