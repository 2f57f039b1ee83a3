/*
 * checks.h - what one test run recorded, and the evaluation of the
 * catalogue's checks on it.
 *
 * The record (record.c) holds what the runner knew while the test ran
 * (the programs, their event logs read live, socket snapshots, the times
 * actions ran); after the run, its folder is loaded once into the run
 * model (model/timeline.h, rec_load_model) and the checks (checks.c,
 * race.c) judge that model: packets with their time on each host, each
 * host's TCP states from the kernel trace, every program event. A host's
 * own behaviour is judged on its own clock.
 */
#ifndef TIMEWAIT_CHECKS_H
#define TIMEWAIT_CHECKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "catalogue.h"
#include "host/capture.h"
#include "host/ktrace.h"
#include "host/sockdiag.h"
#include "model/timeline.h"
#include "pcapread.h"

#define REC_MAX_SNAPS 4

/* One line of a program's event log (docs/formats.md), as the runner's
 * live waits read it. */
struct ev {
	uint64_t t_ns;
	char step[16];
	long ret;
	int err;
	int req;		/* client request or server connection, 1-based; 0 none */
	char local[64];
	char remote[64];
	long bytes;
	char events[64];
};

struct proc_rec {
	const struct proc_spec *spec;
	struct ev *ev;
	size_t nev, cap;
	off_t off;		/* how far the events file has been read */
	char events_path[4096];
	pid_t pid;
	int stdin_w;		/* write end of its stdin, -1 once closed */
	int started;
	int group;		/* a command: its own process group (signalled as one) */
	/* How it ended, when it ended by itself before the lab stopped it
	 * (lab/cmdrun.c): exited 1, then exit_code (-1 if a signal) or
	 * exit_signal; stopped 1: it still ran at the end. */
	int exited, exit_code, exit_signal, stopped;
	uint64_t exit_ns;	/* when the runner saw it end (wall clock) */
};

struct host_rec {
	char name[16];
	char addr[46];
	char addr6[46];
	struct capture_stats cs;
};

struct snap_rec {
	char name[16];
	uint64_t t_ns;
	/* When the last host's table had been read (0: not known): on a
	 * loaded machine the dumps can take far longer than a packet. */
	uint64_t t_end_ns;
	struct sd_sock *s[CAT_MAX_HOSTS];
	size_t n[CAT_MAX_HOSTS];
};

struct test_rec {
	const struct test_spec *spec;
	double scale;
	int full;
	uint64_t t0_ns;			/* the test's time zero (wall clock) */
	uint64_t act_t[CAT_MAX_ACTIONS];	/* when each action ran (0: not run) */
	struct proc_rec procs[CAT_MAX_PROCS];
	int nprocs;
	struct host_rec hosts[CAT_MAX_HOSTS];
	int nhosts;
	struct snap_rec snaps[REC_MAX_SNAPS];
	int nsnaps;
	char error[256];		/* the run itself went wrong (not a check) */
	struct ktrace_stats trace;	/* the kernel trace's figures */
	char trace_error[256];		/* why there is no kernel trace */
	char draw_error[256];		/* why there are no drawings */
	struct timeline *tl;		/* the run model, once the run is over */
	const char *dir;		/* the run folder, once the run is over
					 * (check output reads NAME.log there) */
	/* lab/impair.c: what each drop line dropped (the nft counters), read
	 * at the end of the run; drops_read 0: never read. */
	long long dropped[CAT_MAX_DROPS];
	int drops_read;
	/* The /proc/net/netstat counters the checks name, read on each host
	 * at the end of the run (lab/impair.c). */
	struct netstat_rec {
		char host[16];
		char name[64];
		long long value;
		int found;
	} netstat[CAT_MAX_CHECKS];
	int nnetstat;
	/* lab/delay.c: per link and direction (0: a to b), packets passed
	 * (after their delay) and packets its random loss dropped;
	 * links_read 0: no delay ran. */
	long long link_passed[CAT_MAX_LINKS][2], link_lost[CAT_MAX_LINKS][2];
	/* and its rate, duplication and reordering: packets duplicated,
	 * packets sent behind a later one, packets the rate's full queue
	 * dropped, bytes passed (Ethernet frames, copies too) */
	long long link_dup[CAT_MAX_LINKS][2], link_reordered[CAT_MAX_LINKS][2];
	long long link_qdrop[CAT_MAX_LINKS][2], link_bytes[CAT_MAX_LINKS][2];
	int links_read;
};

struct check_result {
	const struct check_spec *spec;
	int pass;
	int judged;			/* 0: not applicable (a --full check without --full) */
	char seen[256];
};

/* How many runs of a series ended in one outcome. */
struct outcome_count {
	char name[32];
	int count;
};

/* Names of the close race's outcomes, for counts and reports. */
#define RACE_SERVER "server_time_wait"
#define RACE_CLIENT "client_time_wait"
#define RACE_BOTH "both_time_wait"
#define RACE_RST "rst"

int checks_run(const struct test_rec *r, struct check_result *out);
const char *race_outcome(const struct test_rec *r, char *detail, size_t len);
/* The race's outcome for the connection from client port cport (0: first). */
const char *race_classify(const struct test_rec *r, int cport, char *detail,
    size_t len, int *consistent);
/* The same for the connections from client ports port_base .. +n-1;
 * details (may be NULL): a sentence for each. */
#define RACE_DETAIL 200
int race_classify_ports(const struct test_rec *r, int port_base, int n,
    const char **names, int *consistent, char (*details)[RACE_DETAIL]);

/* Helpers the runner and reports share (record.c). */
const struct host_rec *rec_host(const struct test_rec *r, const char *name);
const struct proc_rec *rec_proc(const struct test_rec *r, const char *name);
const struct snap_rec *rec_snap(const struct test_rec *r, const char *name);
/* Which lab host owns this address ("client"), or NULL. */
const char *rec_host_of(const struct test_rec *r, const char *addr);
/* Reads the lines p's program added since the last call (the one JSON-lines
 * reader, model/jsonl.h); 0, or -1 with the reason in err. */
int rec_load_events(struct proc_rec *p, char *err, size_t errlen);
/* After the run: snapshots.json written, then the folder dir loaded into
 * r->tl (the model the checks judge). 0, or -1 with r->error set. */
int rec_load_model(struct test_rec *r, const char *dir);
void rec_free(struct test_rec *r);
int port_of(const char *ipport);		/* "10.0.0.2:667" -> 667, -1 */

#endif
