/*
 * scenint.h - what the scenario parser's files (scenfile.c: the
 * statements; scencheck.c: the checks; scenlex.c: words, numbers,
 * durations, names and messages) share, and nothing else needs.
 */
#ifndef TIMEWAIT_SCENINT_H
#define TIMEWAIT_SCENINT_H

#include <limits.h>
#include <stddef.h>

#include "scen/scenfile.h"

#define SCEN_MAX_WORDS 48
#define SCEN_KEY_MAX 127	/* net.ipv4.conf.eth0.accept_local... */
#define SCEN_VALUE_MAX 63
#define SCEN_PROG_MAX 23	/* program names: the timeline reads up to 23 */

/* One line cut into words: blanks separate them, "..." holds blanks and
 * \" \\ inside a word. The words point into buf. */
struct words {
	char *w[SCEN_MAX_WORDS];
	int n;
	char buf[SCEN_MAX_LINE + 2];
};

struct parser {
	const char *file;
	int line, nlines;
	char dir[PATH_MAX];		/* the file's folder, absolute */
	struct test_spec *t;
	char *err;
	size_t errlen;
	int nhosts, nprocs, nact, nchk, nsys, nlinks, nsnaps;
	int started[CAT_MAX_PROCS];
	int proc_lines[CAT_MAX_PROCS];
	int lines[CAT_MAX_ACTIONS];	/* where each action is written */
	const char *snaps[CAT_MAX_SNAPS];
	unsigned last_at;		/* the latest at since the last mark */
	int ended;			/* 'end' read: only checks follow */
	int ndrops;
};

/* "FILE:LINE: what" into p->err; returns -1. */
int fail(struct parser *p, const char *f, ...) __attribute__((format(printf, 2, 3)));
/* A copy of s that lives as long as the test; NULL (and p->err) if out of memory. */
const char *keep(struct parser *p, const char *s);
int parser_init(struct parser *p, const char *file, char *err, size_t errlen);

/* 1: a statement in line (now NUL-terminated, \r dropped); 0: blank or a
 * comment; -1: not text (control characters) or too long. */
int read_line(struct parser *p, char *line, size_t n);
char *trim(char *s);
int split(struct parser *p, const char *text, size_t len, struct words *w);
/* "13s", "300ms", "1.5s", "0": whole milliseconds, at most an hour. */
int duration(struct parser *p, const char *s, unsigned *ms);
/* "LO..HI" of durations, the unit written once is enough: "0..300ms". */
int duration_range(struct parser *p, const char *s, int *lo, int *hi);
int number(struct parser *p, const char *s, long lo, long hi, long *v);

/* A step the programs log (docs/formats.md): a typo is caught here, not
 * after a wait's timeout. */
int scen_known_step(const char *s);
int host_index(const struct parser *p, const char *name);
int proc_index(const struct parser *p, const char *name);
/* Every {NAME} in an argument names a host above (or NAME-v6, dir, run). */
int check_braces(struct parser *p, const char *arg);

/* drop from HOST to HOST ... (scendrop.c). */
int d_drop(struct parser *p, struct words *w);
/* link A B [from HOST] [delay DUR] [jitter DUR] [loss N%] [rate R]
 * [duplicate N%] [reorder N%]: w's words from i on, into l (scendrop.c). */
int link_impairments(struct parser *p, struct words *w, int i, struct link_spec *l);

/* vary link A B delay D D...; check outcome ...; what a file with a vary
 * line must have once read (scenvary.c). */
int d_vary(struct parser *p, struct words *w);
int scen_outcome_check(struct parser *p, const struct words *w, int *i, struct check_spec *k);
int scen_vary_complete(struct parser *p);

/* check KIND ARGS... : SENTENCE (scencheck.c). */
int d_check(struct parser *p, const char *rest);
/* program NAME on HOST: proxy TEMPLATE (scenproxy.c): ps's prog, cmd, path. */
int scen_proxy_program(struct parser *p, const struct words *cmd, struct proc_spec *ps);

#endif
