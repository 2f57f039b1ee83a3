/*
 * catalogue.h - the lab's tests as data: which hosts, which program with
 * which behaviour code runs where, what happens when (start, Ctrl+C,
 * Enter, a socket snapshot), and the checks that decide pass or fail.
 *
 * In the spirit of packetdrill's scripts: a test reads top to bottom as
 * what is done and what must be seen; one interpreter (lab/run.c) runs
 * them all and one evaluator (checks.c) judges them.
 */
#ifndef TIMEWAIT_CATALOGUE_H
#define TIMEWAIT_CATALOGUE_H

#define CAT_MAX_HOSTS 4
#define CAT_MAX_PROCS 5
#define CAT_MAX_ACTIONS 12
#define CAT_MAX_CHECKS 12

/* A program run in a lab host. args follow `timewait server|client`. */
struct proc_spec {
	const char *name;	/* "server", "client2": names its files */
	const char *host;	/* the lab host it runs in */
	const char *prog;	/* "server" or "client" */
	const char *args[14];	/* its command line, NULL-terminated */
};

enum action_kind {
	ACT_START = 1,		/* start proc; a server: wait until it listens */
	ACT_WAIT,		/* wait until proc logs step (for request req, 0: any) */
	ACT_SIGINT,		/* Ctrl+C to proc, as the seed does by hand */
	ACT_ENTER,		/* press Enter in proc (write a newline to its stdin) */
	ACT_SNAPSHOT,		/* record every host's TCP sockets, named snap */
	ACT_WAIT_TW,		/* --full only: wait, with a countdown, until proc's host
				 * holds no TIME_WAIT; without --full the test ends here */
	ACT_END,		/* the test is over: stop captures, then programs */
};

/*
 * at_ms is the time in the seed's real timings, from the moment the test
 * starts (every server listening) or from the last marked ACT_WAIT's event
 * (so that a slow start does not shift the scenario); the runner multiplies it by the time
 * scale (--fast: 0.1). settle_ms is added unscaled: time for packets to
 * cross, not part of the scenario. Actions run in order, each no earlier
 * than its time; ACT_WAIT waits for its condition up to timeout_ms.
 */
struct action {
	enum action_kind kind;
	unsigned at_ms;
	unsigned settle_ms;
	const char *proc;
	const char *step;	/* ACT_WAIT */
	int req;		/* ACT_WAIT: request number, 0 any */
	const char *snap;	/* ACT_SNAPSHOT */
	int settled;		/* ACT_SNAPSHOT: first wait (up to 2 s) until no socket
				 * is half-way through opening or closing */
	unsigned timeout_ms;	/* ACT_WAIT: unscaled, on top of at_ms */
	int mark;		/* ACT_WAIT: later actions' at_ms count from the
				 * moment the awaited step happened */
};

enum check_kind {
	CK_CALL = 1,		/* proc's step for request req ended with errno err (0: success) */
	CK_CALL_FAILS,		/* proc's step for request req failed, any errno */
	CK_SAME_PORT,		/* proc's requests all bound the same local port */
	CK_TIMEWAIT,		/* host holds TIME_WAIT sockets at snap: count == n, or >= n if atleast */
	CK_TW_TIMER,		/* host's TIME_WAIT timer at snap between lo and hi ms */
	CK_STATE,		/* host has a socket in state at snap (count >= 1) */
	CK_SENDS,		/* host sends packets with flag (F, R, S, D = data): count == n, or >= n if atleast */
	CK_FIRST_FIN,		/* in every connection host sends the first FIN */
	CK_FIN_AFTER,		/* host's first FIN comes lo..hi ms (scaled) after action number n ran */
	CK_FIN_GAP,		/* host's first FIN follows peer's first FIN by lo..hi ms (scaled) */
	CK_ESTABLISHED,		/* n connections fully open at once from host (SYN/SYN-ACK/ACK, no FIN yet) */
	CK_RACE,		/* the close race: any legitimate outcome passes; which one is reported */
};

struct check_spec {
	enum check_kind kind;
	const char *what;	/* one line for a person: what must be seen */
	const char *who;	/* proc (CK_CALL...) or host (the rest) */
	const char *peer;	/* CK_FIN_GAP: the other host */
	const char *step;	/* CK_CALL: "bind", "connect", "read", "write" */
	int req;		/* CK_CALL: request (client) or connection (server), 1-based */
	int err;		/* CK_CALL: expected errno, 0 success */
	const char *snap;	/* CK_TIMEWAIT, CK_TW_TIMER, CK_STATE */
	const char *state;	/* CK_STATE: kernel state name */
	char flag;		/* CK_SENDS */
	int n;
	int atleast;
	int port;		/* CK_STATE: only sockets on this local port (0: any) */
	int lo, hi;		/* CK_TW_TIMER (ms), CK_FIN_AFTER (ms), CK_FIN_GAP (ms, scaled) */
	int full;		/* judged only with --full */
};

struct test_spec {
	const char *id;		/* "000", "003-linger0" */
	const char *title;	/* the seed's title */
	const char *shows;	/* one line: what it shows */
	int seed;		/* one of the seed's eight */
	const char *hosts[CAT_MAX_HOSTS + 1];
	struct proc_spec procs[CAT_MAX_PROCS];
	struct action actions[CAT_MAX_ACTIONS];
	struct check_spec checks[CAT_MAX_CHECKS];
	/* --repeat N: one lab and one server for the N runs, each run a fresh
	 * client from a source port of its own (10000 + run - 1), the runs
	 * told apart by that port (the close race); 0: a lab per run. */
	int repeat_in_one_lab;
	/* The smallest --time-scale the test can honour (0: any the runner
	 * takes), and why: below it a scaled delay is shorter than what the
	 * kernel does on its own clock (the 40 ms delayed ACK). */
	double min_scale;
	const char *min_scale_why;
};

extern const struct test_spec catalogue[];
extern const int catalogue_len;

const struct test_spec *catalogue_find(const char *id);
const struct proc_spec *test_proc(const struct test_spec *t, const char *name);
int test_nprocs(const struct test_spec *t);
int test_nhosts(const struct test_spec *t);

#endif
