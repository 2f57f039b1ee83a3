/*
 * catalogue.h - the lab's tests as data: which hosts, which program with
 * which behaviour code runs where, what happens when (start, Ctrl+C,
 * Enter, a socket snapshot), and the checks that decide pass or fail.
 *
 * In the spirit of packetdrill's scripts: a test reads top to bottom as
 * what is done and what must be seen; one interpreter (lab/run.c) runs
 * them all and one evaluator (checks.c) judges them. Every test is a
 * scenario file (scenarios/ID.scen, docs/scenario-files.md) that
 * scen/scenfile.c parses into a struct test_spec; catalogue.c finds the
 * shipped ones at run time, so a test changes without a rebuild.
 */
#ifndef TIMEWAIT_CATALOGUE_H
#define TIMEWAIT_CATALOGUE_H

#include <stdint.h>

#define CAT_MAX_HOSTS 6
#define CAT_MAX_PROCS 8
#define CAT_MAX_ARGS 20
#define CAT_MAX_ACTIONS 32
#define CAT_MAX_CHECKS 16
#define CAT_MAX_SNAPS 4		/* snapshots a run records (checks.h REC_MAX_SNAPS) */
#define CAT_MAX_SYSCTLS 16
#define CAT_MAX_LINKS 8
#define CAT_MAX_DROPS 4
#define CAT_MAX_VARIANTS 6
/* check output: the text looked for is 1 to CHECK_TEXT_MAX bytes, looked
 * for in the first CHECK_OUTPUT_MAX bytes of the program's log (a command
 * that writes without end cannot make the runner read without end). */
#define CHECK_TEXT_MAX 100
#define CHECK_OUTPUT_MAX (1024 * 1024)

/*
 * A program run in a lab host. prog "server" or "client": `timewait
 * server|client` followed by args. prog "exec": any other command, cmd as
 * written in the scenario and path where it was found (absolute); args
 * follow it (lab/cmdrun.c runs it, as nobody unless as_root). Arguments may hold {HOST}, {HOST-v6}, {dir} and {run}, which
 * scen_expand replaces when the program starts (the lab's addresses are
 * known only then).
 */
struct proc_spec {
	const char *name;	/* "server", "client2": names its files */
	const char *host;	/* the lab host it runs in */
	const char *prog;	/* "server", "client" or "exec" */
	const char *args[CAT_MAX_ARGS + 1];	/* its command line, NULL-terminated */
	const char *cmd;	/* prog "exec": the command as written */
	const char *path;	/* prog "exec": its absolute path */
	int as_root;		/* prog "exec": `as root` (else it runs as nobody) */
};

/* A kernel knob set in one lab host's network namespace (never the machine's). */
struct sysctl_spec {
	const char *host;
	const char *key;	/* as sysctl(8) writes it: "net.ipv4.tcp_fin_timeout" */
	const char *value;	/* "5", "32768 60999" */
	int line;		/* where the scenario sets it; 0: the command line */
};

/* Two hosts joined by a link. Today every host sits on one bridge and a
 * link only names the pair; impairments (delay, loss...) will hang here. */
struct link_spec {
	const char *a, *b;
	int line;
	/* Impairments, [0] from a to b, [1] from b to a (lab/delay.c):
	 * a delay with jitter (uniform, +-), a random loss in percent. */
	unsigned delay_ms[2], jitter_ms[2];
	unsigned loss_pct[2];
	/* A rate in bits per second (0: none), paced by the same thread;
	 * duplication and reordering in percent of the packets. */
	uint64_t rate_bps[2];
	unsigned dup_pct[2], reorder_pct[2];
};

/*
 * A targeted drop (docs/scenario-files.md, `drop`): segments from host
 * from to host to, whose TCP flags are exactly flags (0: any), counted
 * from the first one sent after from received a FIN from to (after_fin)
 * or from the start; the nth is dropped, and the count-1 after it too.
 * Made with nftables in the sending host's namespace (lab/impair.c).
 */
struct drop_spec {
	const char *from, *to;
	unsigned char flags;	/* TCP flag bits, as on the wire (FIN 0x01 ... ACK 0x10) */
	int after_fin;
	int nth, count;
	int line;
};

/*
 * `vary link A B delay D1 D2 ...` (docs/scenario-files.md): the test is run
 * once per delay, each a series of `repeat in-one-lab` runs in a lab of its
 * own whose link A B is delayed by D both ways (0: not delayed at all, the
 * perfect wire). The outcomes are counted per variant (lab/series.c).
 */
struct vary_spec {
	const char *a, *b;	/* NULL: the test has no variants */
	unsigned delay_ms[CAT_MAX_VARIANTS];
	int n;
	int line;
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
	ACT_WAIT_EXIT,		/* wait until proc has exited (its status kept) */
	ACT_WAIT_LISTEN,	/* wait until a socket of host listens on port */
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
	const char *name;	/* what checks call it (`as NAME`), or NULL */
	const char *host;	/* ACT_WAIT_LISTEN: the lab host */
	int port;		/* ACT_WAIT_LISTEN: the local port, any address */
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
	CK_FIN_AFTER,		/* host's first FIN comes lo..hi ms (scaled) after action number n ran
				 * (the scenario names the action; the parser puts its index here) */
	CK_FIN_GAP,		/* host's first FIN follows peer's first FIN by lo..hi ms (scaled) */
	CK_ESTABLISHED,		/* n connections fully open at once from host (SYN/SYN-ACK/ACK, no FIN yet) */
	CK_RACE,		/* the close race: any legitimate outcome passes; which one is reported */
	/* One hop: as the kinds above, only the connections between host and peer. */
	CK_TIMEWAIT_TO,		/* host's TIME_WAIT sockets at snap whose remote is peer's address */
	CK_STATE_TO,		/* host's sockets in state at snap whose remote is peer's address */
	CK_SENDS_TO,		/* host sends packets with flag towards peer */
	CK_FIRST_FIN_TO,	/* in every connection between host and peer, host sends the first FIN */
	CK_RECEIVES,		/* host's capture saw flag arrive: count == n, or >= n if atleast */
	CK_NO_STATE,		/* host has no socket in state at snap (on port, 0: any) */
	CK_NETSTAT,		/* host's /proc/net/netstat counter state (its name) at the end */
	CK_DROPPED,		/* the lab's drops from host who to host peer: count */
	CK_DUPLICATED,		/* packets the link from who to peer duplicated: count */
	CK_REORDERED,		/* packets the link from who to peer sent behind a later one */
	CK_OUT_OF_ORDER,	/* packets arriving at who after one their sender sent later */
	CK_PORT_STATE,		/* when proc's step (a bind) for request req began, a socket of
				 * its host held its port in state (NULL: none held it), as the
				 * kernel trace or a snapshot saw it (model/binds.c) */
	CK_EXIT,		/* proc exited by itself with status n (>= n if atleast), or
				 * was killed by signal sig (when sig != 0) */
	CK_OUTCOME,		/* a race outcome (state: its name) in one variant's runs: count
				 * or percent (percent) compared by cmp with lim */
	CK_OUTPUT,		/* proc's NAME.log (its stdout and stderr) holds text (n 1),
				 * or does not (n 0), in its first CHECK_OUTPUT_MAX bytes */
};

struct check_spec {
	enum check_kind kind;
	const char *what;	/* one line for a person: what must be seen */
	const char *who;	/* proc (CK_CALL...) or host (the rest) */
	const char *peer;	/* CK_FIN_GAP, CK_*_TO: the other host */
	const char *step;	/* CK_CALL: "bind", "connect", "read", "write" */
	int req;		/* CK_CALL: request (client) or connection (server), 1-based */
	int err;		/* CK_CALL: expected errno, 0 success */
	const char *snap;	/* CK_TIMEWAIT, CK_TW_TIMER, CK_STATE */
	const char *state;	/* CK_STATE: kernel state name */
	char flag;		/* CK_SENDS */
	int n;
	int atleast;
	int port;		/* CK_STATE: only sockets on this local port (0: any) */
	int lo, hi;		/* CK_TW_TIMER (ms), CK_FIN_AFTER (ms), CK_FIN_GAP (ms, scaled),
				 * CK_CALL* with took (ms) */
	int took;		/* CK_CALL*: the call also took lo..hi ms (not scaled) */
	int full;		/* judged only with --full */
	int variant, lim, percent;	/* CK_OUTCOME */
	char cmp;		/* CK_OUTCOME: '=' ==, '>' >=, '<' <= */
	const char *text;	/* CK_OUTPUT: the bytes looked for (no newline) */
	int sig;		/* CK_EXIT: the signal that must end proc (0: a status) */
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
	/* `repeat in-one-lab runs N`: the runs of the series (of each variant)
	 * when --repeat is not given; 0: one. */
	int default_runs;
	struct vary_spec vary;	/* vary.n 0: one series, as written */
	/* The smallest --time-scale the test can honour (0: any the runner
	 * takes), and why: below it a scaled delay is shorter than what the
	 * kernel does on its own clock (the 40 ms delayed ACK). */
	double min_scale;
	const char *min_scale_why;
	struct sysctl_spec sysctls[CAT_MAX_SYSCTLS];	/* key NULL ends them */
	struct link_spec links[CAT_MAX_LINKS];		/* a NULL ends them */
	struct drop_spec drops[CAT_MAX_DROPS];		/* from NULL ends them */
	const char *file;	/* the scenario file it was read from */
	const char *dir;	/* that file's folder, absolute: {dir} */
	int shipped;		/* found among the shipped scenarios */
	void *mem;		/* the strings above (scen_free releases them) */
};

/*
 * The shipped scenarios' folder, the first that exists of: $TIMEWAIT_SCENARIOS,
 * the repository's scenarios/ beside the build folder of the running binary
 * (/proc/self/exe), PREFIX/share/timewait/scenarios beside an installed one.
 * 0, or -1 with a sentence in err.
 */
int catalogue_dir(char *dir, size_t len, char *err, size_t errlen);
/* An argument names a file (has a '/' or ends in .scen), not a shipped id. */
int catalogue_is_path(const char *arg);
/*
 * Load one test: a file when catalogue_is_path(arg), else the shipped test of
 * that id. NULL with err: "FILE:LINE: what is wrong" for a malformed file
 * (*malformed = 1), or a sentence (no such test, unreadable folder).
 */
struct test_spec *catalogue_load(const char *arg, int *malformed, char *err, size_t errlen);
/* Every shipped test: the seed's first, then the others, each group by id.
 * Returns how many (*out: an array to catalogue_free_all), or -1 with err. */
int catalogue_load_all(struct test_spec ***out, int *malformed, char *err, size_t errlen);
void catalogue_free_all(struct test_spec **tests, int n);
/*
 * The tests a command line names, for one run: shipped ids, "all", "seed"
 * and paths of scenario files, each once; knobs ("HOST:KEY=VALUE", from
 * --sysctl) added to every one, then every knob tried in a namespace of
 * its own (catalogue_runnable too). The tests live as long as the process.
 * Returns how many (at most max, into out), or -1 with err (*malformed: a
 * file or a knob is wrong, err is "FILE:LINE: what").
 */
int catalogue_select(char *const *args, int nargs, const char *const *knobs, int nknobs,
    const struct test_spec **out, int max, int *malformed, char *err, size_t errlen);
/* 0 if the interpreter can run t; else -1 and why (a program it cannot start yet). */
int catalogue_runnable(const struct test_spec *t, char *err, size_t errlen);

const struct proc_spec *test_proc(const struct test_spec *t, const char *name);
int test_nprocs(const struct test_spec *t);
int test_nhosts(const struct test_spec *t);

#endif
