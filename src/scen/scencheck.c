/*
 * scencheck.c - the `check` statement of scenario files: what must be
 * seen, in words for checks.c (KIND and its arguments) and in a sentence
 * for a person, after the colon:
 *
 *   check sends client RST == 0: no RST from the client
 *
 * Every program, host, snapshot and action a check names was made on a
 * line above it; the action's name becomes its index (CK_FIN_AFTER).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "scen/scenint.h"
#include "tcpstate.h"

struct cursor {
	struct parser *p;
	struct words *w;
	int i;
};

static const char *
next(struct cursor *c, const char *what)
{
	if (c->i >= c->w->n) {
		fail(c->p, "'%s' wants %s", c->w->w[0], what);
		return NULL;
	}
	return c->w->w[c->i++];
}

static int
want_host(struct cursor *c, const char **who)
{
	const char *s = next(c, "a host");
	int h;

	if (s == NULL)
		return -1;
	if ((h = host_index(c->p, s)) < 0)
		return fail(c->p, "no host '%s' declared above", s);
	*who = c->p->t->hosts[h];
	return 0;
}

static int
want_proc(struct cursor *c, const char **who)
{
	const char *s = next(c, "a program");
	int k;

	if (s == NULL)
		return -1;
	if ((k = proc_index(c->p, s)) < 0)
		return fail(c->p, "no program '%s' declared above", s);
	if (strcmp(c->p->t->procs[k].prog, "exec") == 0 ||
	    strcmp(c->p->t->procs[k].prog, "proxy") == 0)
		return fail(c->p, "program %s writes no event log to check (only timewait "
		    "server and client do)", s);
	*who = c->p->t->procs[k].name;
	return 0;
}

/* at SNAPSHOT: one taken by an action above. */
static int
want_snap(struct cursor *c, const char **snap)
{
	const char *s;
	int i;

	if (c->i >= c->w->n || strcmp(c->w->w[c->i], "at") != 0)
		return fail(c->p, "'%s' wants the snapshot it reads: at SNAPSHOT", c->w->w[0]);
	c->i++;
	if ((s = next(c, "a snapshot name after 'at'")) == NULL)
		return -1;
	for (i = 0; i < c->p->nsnaps; i++)
		if (strcmp(c->p->snaps[i], s) == 0) {
			*snap = c->p->snaps[i];
			return 0;
		}
	return fail(c->p, "no snapshot '%s' taken above", s);
}

/* == N or >= N */
static int
want_count(struct cursor *c, int *n, int *atleast, int only_atleast)
{
	const char *op = next(c, "a count: == N or >= N");
	const char *v;
	long x;

	if (op == NULL)
		return -1;
	if (strcmp(op, ">=") == 0)
		*atleast = 1;
	else if (strcmp(op, "==") != 0 || only_atleast)
		return fail(c->p, "'%s' is not a comparison: %s", op,
		    only_atleast ? ">= N" : "== N or >= N");
	if ((v = next(c, "a number after the comparison")) == NULL ||
	    number(c->p, v, 0, 100000, &x) < 0)
		return -1;
	*n = (int)x;
	return 0;
}

static int
want_range(struct cursor *c, int *lo, int *hi)
{
	const char *s = next(c, "a range of durations: LO..HI");

	return s == NULL ? -1 : duration_range(c->p, s, lo, hi);
}

static int
want_errno(struct cursor *c, const char *s, int *err)
{
	long v;
	int e;

	if (s[0] >= '0' && s[0] <= '9')
		return number(c->p, s, 1, 4095, &v) < 0 ? -1 : (*err = (int)v, 0);
	for (e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);

		if (name != NULL && strcmp(name, s) == 0) {
			*err = e;
			return 0;
		}
	}
	return fail(c->p, "'%s' is not an errno name (EADDRINUSE, ECONNRESET...)", s);
}

/* [took LO..HI]: how long the call took, from its start to its return. */
static int
want_took(struct cursor *c, struct check_spec *k)
{
	if (c->i >= c->w->n || strcmp(c->w->w[c->i], "took") != 0)
		return 0;
	c->i++;
	k->took = 1;
	return want_range(c, &k->lo, &k->hi);
}

/* call PROGRAM STEP REQUEST ok | fails [ERRNO] [took LO..HI] */
static int
k_call(struct cursor *c, struct check_spec *k)
{
	const char *s;
	long req;

	if (want_proc(c, &k->who) < 0 || (s = next(c, "a step: bind, connect, read...")) == NULL)
		return -1;
	if (!scen_known_step(s))
		return fail(c->p, "'%s' is not a step the programs log (docs/formats.md)", s);
	if ((k->step = keep(c->p, s)) == NULL)
		return -1;
	if ((s = next(c, "a request (client) or connection (server) number")) == NULL ||
	    number(c->p, s, 1, 100000, &req) < 0)
		return -1;
	k->req = (int)req;
	if ((s = next(c, "ok or fails")) == NULL)
		return -1;
	if (strcmp(s, "ok") == 0) {
		k->kind = CK_CALL;
	} else if (strcmp(s, "fails") == 0) {
		k->kind = CK_CALL_FAILS;
		if (c->i < c->w->n && strcmp(c->w->w[c->i], "full") != 0 &&
		    strcmp(c->w->w[c->i], "took") != 0) {
			k->kind = CK_CALL;
			if (want_errno(c, c->w->w[c->i++], &k->err) < 0)
				return -1;
		}
	} else {
		return fail(c->p, "'%s': a call is 'ok' or 'fails [ERRNO]'", s);
	}
	return want_took(c, k);
}

/*
 * port-state PROGRAM STEP REQUEST STATE | free: the socket that held the
 * call's local port when it began (a bind), or none.
 */
static int
k_port_state(struct cursor *c, struct check_spec *k)
{
	const char *s;
	enum tcp_st st;
	long req;

	if (want_proc(c, &k->who) < 0 || (s = next(c, "a step: bind")) == NULL)
		return -1;
	if (strcmp(s, "bind") != 0)
		return fail(c->p, "'%s': port-state judges a bind (the call that names a local port)", s);
	k->step = "bind";
	if ((s = next(c, "a request (client) or connection (server) number")) == NULL ||
	    number(c->p, s, 1, 100000, &req) < 0)
		return -1;
	k->req = (int)req;
	if ((s = next(c, "a TCP state, or free")) == NULL)
		return -1;
	if (strcmp(s, "free") == 0)
		return 0;
	st = tcp_state_parse(s);
	if (st == TS_UNKNOWN || st == TS_BOUND_INACTIVE || st == TS_LISTEN || st == TS_CLOSE)
		return fail(c->p, "'%s' is not the state of a connection's socket (TIME_WAIT, "
		    "FIN_WAIT1, ESTABLISHED...) nor 'free'", s);
	k->state = tcp_state_name(st);
	return 0;
}

/*
 * HOST [towards PEER]: a check of one hop, the connections between HOST
 * and PEER only (a proxy's client side or backend side).
 */
static int
want_towards(struct cursor *c, struct check_spec *k)
{
	if (c->i >= c->w->n || strcmp(c->w->w[c->i], "towards") != 0)
		return 0;
	c->i++;
	if (want_host(c, &k->peer) < 0)
		return -1;
	if (strcmp(k->who, k->peer) == 0)
		return fail(c->p, "'towards' names the host at the other end, not %s itself", k->who);
	return 0;
}

static int
want_host_hop(struct cursor *c, struct check_spec *k)
{
	return want_host(c, &k->who) < 0 ? -1 : want_towards(c, k);
}

/* The kind of a check of one hop (want_host_hop read a PEER). */
static enum check_kind
hop_kind(enum check_kind kind)
{
	switch (kind) {
	case CK_TIMEWAIT: return CK_TIMEWAIT_TO;
	case CK_STATE: return CK_STATE_TO;
	case CK_SENDS: return CK_SENDS_TO;
	case CK_FIRST_FIN: return CK_FIRST_FIN_TO;
	default: return kind;
	}
}

static int
k_state(struct cursor *c, struct check_spec *k)
{
	const char *s;
	enum tcp_st st;
	long port;

	if (want_host_hop(c, k) < 0 || want_snap(c, &k->snap) < 0 ||
	    (s = next(c, "a TCP state: ESTABLISHED, FIN_WAIT2...")) == NULL)
		return -1;
	st = tcp_state_parse(s);
	if (st == TS_UNKNOWN || st == TS_BOUND_INACTIVE)
		return fail(c->p, "'%s' is not a TCP state (ESTABLISHED, FIN_WAIT2, CLOSE_WAIT...)", s);
	k->state = tcp_state_name(st);
	k->n = 1;
	while (c->i < c->w->n && strcmp(c->w->w[c->i], "full") != 0) {
		if (strcmp(c->w->w[c->i], ">=") == 0) {
			if (want_count(c, &k->n, &k->atleast, 1) < 0)
				return -1;
			k->atleast = 0;	/* a state check is always "at least" */
		} else if (strcmp(c->w->w[c->i], "port") == 0) {
			c->i++;
			if ((s = next(c, "a port number after 'port'")) == NULL ||
			    number(c->p, s, 1, 65535, &port) < 0)
				return -1;
			k->port = (int)port;
		} else {
			return fail(c->p, "unexpected '%s' (>= N, port P)", c->w->w[c->i]);
		}
	}
	return 0;
}

static int
k_sends(struct cursor *c, struct check_spec *k)
{
	static const struct { const char *word; char flag; } flags[] = {
		{ "FIN", 'F' }, { "RST", 'R' }, { "SYN", 'S' }, { "DATA", 'D' },
	};
	const char *s;
	size_t i;

	if (want_host(c, &k->who) < 0 || (s = next(c, "what is sent: FIN, RST, SYN or DATA")) == NULL)
		return -1;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcmp(s, flags[i].word) == 0)
			k->flag = flags[i].flag;
	if (k->flag == 0)
		return fail(c->p, "'%s': %s counts FIN, RST, SYN or DATA", s, c->w->w[0]);
	/* towards: a hop of a proxy; what a host receives is counted whole */
	if (k->kind == CK_SENDS && want_towards(c, k) < 0)
		return -1;
	return want_count(c, &k->n, &k->atleast, 0);
}

static int
k_fin_after(struct cursor *c, struct check_spec *k)
{
	const char *s;
	int i;

	if (want_host(c, &k->who) < 0 || (s = next(c, "the name of an action above")) == NULL)
		return -1;
	for (i = 0; i < c->p->nact; i++)
		if (c->p->t->actions[i].name != NULL && strcmp(c->p->t->actions[i].name, s) == 0)
			break;
	if (i == c->p->nact)
		return fail(c->p, "no action named '%s' above (name one with 'as NAME')", s);
	k->n = i;
	return want_range(c, &k->lo, &k->hi);
}

static int
k_race(struct cursor *c, struct check_spec *k)
{
	(void)k;
	if (proc_index(c->p, "server") < 0 || proc_index(c->p, "client") < 0 ||
	    host_index(c->p, "server") < 0 || host_index(c->p, "client") < 0)
		return fail(c->p, "'race' judges hosts and programs named server and client");
	return 0;
}

/* no-state HOST at SNAP STATE [port P]: none in that state. */
static int
k_no_state(struct cursor *c, struct check_spec *k)
{
	if (k_state(c, k) < 0)
		return -1;
	if (k->n != 1)
		return fail(c->p, "'no-state' takes no count (it wants none at all)");
	k->n = 0;
	return 0;
}

/* netstat HOST NAME == N | >= N: NAME a TcpExt or IpExt counter. */
static int
k_netstat(struct cursor *c, struct check_spec *k)
{
	const char *s;
	size_t i;

	if (want_host(c, &k->who) < 0 || (s = next(c, "a counter of /proc/net/netstat: "
	    "TCPTimeWaitOverflow...")) == NULL)
		return -1;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9')) || i >= 63)
			return fail(c->p, "'%s' is not a counter name of /proc/net/netstat "
			    "(TCPTimeWaitOverflow, TW...)", s);
	if ((k->state = keep(c->p, s)) == NULL)
		return -1;
	return want_count(c, &k->n, &k->atleast, 0);
}

/* dropped HOST HOST == N | >= N: what the lab's drop lines dropped. */
static int
k_dropped(struct cursor *c, struct check_spec *k)
{
	int i;

	if (want_host(c, &k->who) < 0 || want_host(c, &k->peer) < 0)
		return -1;
	for (i = 0; i < c->p->ndrops; i++)
		if (strcmp(c->p->t->drops[i].from, k->who) == 0 &&
		    strcmp(c->p->t->drops[i].to, k->peer) == 0)
			break;
	if (i == c->p->ndrops)
		return fail(c->p, "no 'drop from %s to %s' line above", k->who, k->peer);
	return want_count(c, &k->n, &k->atleast, 0);
}

/* duplicated|reordered HOST HOST == N | >= N: what a link's impairment
 * did to the packets from the first host to the second. */
static int
k_link_count(struct cursor *c, struct check_spec *k)
{
	int i, d;

	if (want_host(c, &k->who) < 0 || want_host(c, &k->peer) < 0)
		return -1;
	for (i = 0; i < c->p->nlinks; i++) {
		const struct link_spec *l = &c->p->t->links[i];

		if (strcmp(l->a, k->who) == 0 && strcmp(l->b, k->peer) == 0)
			d = 0;
		else if (strcmp(l->b, k->who) == 0 && strcmp(l->a, k->peer) == 0)
			d = 1;
		else
			continue;
		if ((k->kind == CK_DUPLICATED ? l->dup_pct[d] : l->reorder_pct[d]) == 0)
			return fail(c->p, "the link from %s to %s has no '%s' above", k->who, k->peer,
			    k->kind == CK_DUPLICATED ? "duplicate" : "reorder");
		return want_count(c, &k->n, &k->atleast, 0);
	}
	return fail(c->p, "no 'link %s %s' line above", k->who, k->peer);
}

/* A signal by name (INT, SIGINT) or number. */
static int
want_signal(struct cursor *c, int *sig)
{
	const char *s = next(c, "a signal: INT, TERM, KILL... or its number");
	long v;
	int i;

	if (s == NULL)
		return -1;
	if (s[0] >= '0' && s[0] <= '9') {
		if (number(c->p, s, 1, 64, &v) < 0)
			return -1;
		*sig = (int)v;
		return 0;
	}
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 1; i < 65; i++) {
		const char *name = sigabbrev_np(i);

		if (name != NULL && strcmp(name, s) == 0) {
			*sig = i;
			return 0;
		}
	}
	return fail(c->p, "'%s' is not a signal (INT, TERM, KILL, SIGINT... or a number)",
	    c->w->w[c->i - 1]);
}

/* exit PROGRAM == N | >= N: a program that ended by itself with status N;
 * exit PROGRAM signal SIG: one a signal ended (a Ctrl+C: signal INT). */
static int
k_exit(struct cursor *c, struct check_spec *k)
{
	const char *s = next(c, "a program");
	int i;

	if (s == NULL)
		return -1;
	if ((i = proc_index(c->p, s)) < 0)
		return fail(c->p, "no program '%s' declared above", s);
	if (strcmp(c->p->t->procs[i].prog, "proxy") == 0)
		return fail(c->p, "program %s is a proxy: the lab stops it, so its exit "
		    "status says nothing", s);
	k->who = c->p->t->procs[i].name;
	if (c->i < c->w->n && strcmp(c->w->w[c->i], "signal") == 0) {
		c->i++;
		return want_signal(c, &k->sig);
	}
	if (want_count(c, &k->n, &k->atleast, 0) < 0)
		return -1;
	if (k->n > 255)
		return fail(c->p, "an exit status is 0 to 255");
	return 0;
}

/*
 * output PROGRAM contains|lacks TEXT: what the program wrote to its
 * stdout and stderr (NAME.log). TEXT is one word, quoted for blanks
 * ("HTTP 200", \" and \\ inside), matched byte for byte: a line cannot
 * hold a newline, so neither can TEXT, and a match never crosses a line.
 */
static int
k_output(struct cursor *c, struct check_spec *k)
{
	const char *s = next(c, "a program");
	size_t n;
	int j;

	if (s == NULL)
		return -1;
	if ((j = proc_index(c->p, s)) < 0)
		return fail(c->p, "no program '%s' declared above", s);
	if (strcmp(c->p->t->procs[j].prog, "proxy") == 0)
		return fail(c->p, "program %s is a proxy: its output is in its folder %s/, "
		    "not in %s.log", s, s, s);
	k->who = c->p->t->procs[j].name;
	if ((s = next(c, "contains or lacks, then a text")) == NULL)
		return -1;
	if (strcmp(s, "contains") == 0)
		k->n = 1;
	else if (strcmp(s, "lacks") != 0)
		return fail(c->p, "'%s': output wants contains or lacks, then a text "
		    "(\"HTTP 200\")", s);
	if ((s = next(c, "a text to look for (\"HTTP 200\")")) == NULL)
		return -1;
	n = strlen(s);
	if (n == 0)
		return fail(c->p, "an empty text is found in any output: write what to look for");
	if (n > CHECK_TEXT_MAX)
		return fail(c->p, "a text to look for is at most %d bytes (this one has %zu)",
		    CHECK_TEXT_MAX, n);
	/* control characters: read_line refused them (a tab is kept) */
	return (k->text = keep(c->p, s)) == NULL ? -1 : 0;
}

/* The words of one check, by kind. */
static int
check_words(struct cursor *c, struct check_spec *k)
{
	const char *kind = c->w->w[0];

	c->i = 1;
	if (strcmp(kind, "call") == 0)
		return k_call(c, k);
	if (strcmp(kind, "same-port") == 0)
		return k->kind = CK_SAME_PORT, want_proc(c, &k->who);
	if (strcmp(kind, "timewait") == 0) {
		k->kind = CK_TIMEWAIT;
		if (want_host_hop(c, k) < 0 || want_snap(c, &k->snap) < 0)
			return -1;
		return want_count(c, &k->n, &k->atleast, 0);
	}
	if (strcmp(kind, "tw-timer") == 0) {
		k->kind = CK_TW_TIMER;
		if (want_host(c, &k->who) < 0 || want_snap(c, &k->snap) < 0)
			return -1;
		return want_range(c, &k->lo, &k->hi);
	}
	if (strcmp(kind, "state") == 0)
		return k->kind = CK_STATE, k_state(c, k);
	if (strcmp(kind, "sends") == 0)
		return k->kind = CK_SENDS, k_sends(c, k);
	if (strcmp(kind, "first-fin") == 0)
		return k->kind = CK_FIRST_FIN, want_host_hop(c, k);
	if (strcmp(kind, "fin-after") == 0)
		return k->kind = CK_FIN_AFTER, k_fin_after(c, k);
	if (strcmp(kind, "fin-gap") == 0) {
		k->kind = CK_FIN_GAP;
		if (want_host(c, &k->who) < 0 || want_host(c, &k->peer) < 0)
			return -1;
		if (strcmp(k->who, k->peer) == 0)
			return fail(c->p, "fin-gap compares two different hosts");
		return want_range(c, &k->lo, &k->hi);
	}
	if (strcmp(kind, "established") == 0) {
		k->kind = CK_ESTABLISHED;
		if (want_host(c, &k->who) < 0 || want_count(c, &k->n, &k->atleast, 1) < 0)
			return -1;
		k->atleast = 0;	/* always "at least" */
		return 0;
	}
	if (strcmp(kind, "race") == 0)
		return k->kind = CK_RACE, k_race(c, k);
	if (strcmp(kind, "receives") == 0)
		return k->kind = CK_RECEIVES, k_sends(c, k);
	if (strcmp(kind, "no-state") == 0)
		return k->kind = CK_NO_STATE, k_no_state(c, k);
	if (strcmp(kind, "netstat") == 0)
		return k->kind = CK_NETSTAT, k_netstat(c, k);
	if (strcmp(kind, "dropped") == 0)
		return k->kind = CK_DROPPED, k_dropped(c, k);
	if (strcmp(kind, "port-state") == 0)
		return k->kind = CK_PORT_STATE, k_port_state(c, k);
	if (strcmp(kind, "duplicated") == 0)
		return k->kind = CK_DUPLICATED, k_link_count(c, k);
	if (strcmp(kind, "reordered") == 0)
		return k->kind = CK_REORDERED, k_link_count(c, k);
	if (strcmp(kind, "out-of-order") == 0) {
		k->kind = CK_OUT_OF_ORDER;
		if (want_host(c, &k->who) < 0)
			return -1;
		return want_count(c, &k->n, &k->atleast, 0);
	}
	if (strcmp(kind, "exit") == 0)
		return k->kind = CK_EXIT, k_exit(c, k);
	if (strcmp(kind, "outcome") == 0)	/* scenvary.c */
		return k->kind = CK_OUTCOME, scen_outcome_check(c->p, c->w, &c->i, k);
	if (strcmp(kind, "output") == 0)
		return k->kind = CK_OUTPUT, k_output(c, k);
	return fail(c->p, "unknown check '%s' (call, same-port, timewait, tw-timer, state, "
	    "sends, first-fin, fin-after, fin-gap, established, race, receives, no-state, "
	    "netstat, dropped, duplicated, reordered, out-of-order, port-state, exit, outcome, "
	    "output)", kind);
}

/*
 * The colon that ends a check's words: the first one outside a quoted
 * word (check output web contains "Content-Type: text/html": ...), read
 * as split() reads quotes. NULL if none; *unclosed 1 if a quote is not
 * closed.
 */
static const char *
words_end(const char *s, int *unclosed)
{
	int quoted = 0;

	for (; *s != '\0'; s++) {
		if (quoted && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == ':')
			return s;
	}
	*unclosed = quoted;
	return NULL;
}

int
d_check(struct parser *p, const char *rest)
{
	int unclosed = 0;
	const char *colon = words_end(rest, &unclosed);
	struct check_spec *k;
	struct cursor c;
	struct words w;
	char sentence[SCEN_MAX_LINE + 2];

	if (p->nchk == CAT_MAX_CHECKS)
		return fail(p, "too many checks (at most %d)", CAT_MAX_CHECKS);
	if (colon == NULL && unclosed)
		return fail(p, "a '\"' is not closed");
	if (colon == NULL)
		return fail(p, "a check ends with ': what must be seen', in words for a person");
	snprintf(sentence, sizeof(sentence), "%s", colon + 1);
	if (*trim(sentence) == '\0')
		return fail(p, "the check has no sentence after its ':'");
	if (split(p, rest, (size_t)(colon - rest), &w) < 0)
		return -1;
	if (w.n == 0)
		return fail(p, "'check' wants a kind: check KIND ...: SENTENCE");
	k = &p->t->checks[p->nchk];
	memset(k, 0, sizeof(*k));
	c.p = p;
	c.w = &w;
	if (check_words(&c, k) < 0)
		return -1;
	if (k->peer != NULL && k->kind != CK_FIN_GAP)
		k->kind = hop_kind(k->kind);
	if (c.i < w.n && strcmp(w.w[c.i], "full") == 0) {
		k->full = 1;
		c.i++;
	}
	if (c.i < w.n)
		return fail(p, "unexpected '%s' at the end of the check", w.w[c.i]);
	if ((k->what = keep(p, trim(sentence))) == NULL)
		return -1;
	p->nchk++;
	return 0;
}
