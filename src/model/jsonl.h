/*
 * jsonl.h - the one JSON-lines reader of timewait: the kernel trace, the
 * programs' event logs and socket lines, for the run model and for the
 * runner's live waits on a log still being written.
 *
 * Every JSON-lines file timewait writes holds flat objects (strings,
 * numbers, true, false, null; docs/formats.md), so a line is parsed in
 * place into one struct jrec, without a tree: a general parser (jansson
 * takes 1.2 s for the 120,000 lines of a 10,000-connection trace) would
 * not keep the drawing of such a run under a second. The reader is
 * strict: a line that is not a flat JSON object is an error naming the
 * file and line, never skipped in silence.
 */
#ifndef TIMEWAIT_MODEL_JSONL_H
#define TIMEWAIT_MODEL_JSONL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define JSONL_MAX_LINE (64 * 1024)
#define JREC_MAX 48			/* keys in one line */

enum jtype { JT_STR, JT_NUM, JT_TRUE, JT_FALSE, JT_NULL };

/* One line's object: keys and values point into the reader's line. */
struct jrec {
	int n;
	const char *k[JREC_MAX];
	const char *v[JREC_MAX];	/* strings unescaped; numbers as written */
	uint8_t type[JREC_MAX];		/* enum jtype */
};

struct jsonl {
	FILE *f;
	char path[4096];
	char *line;
	size_t cap;
	size_t lineno;
	off_t off;		/* bytes of whole lines read */
	int live;		/* a file still being written: keep a last line
				 * without its newline for the next read */
	struct jrec rec;
};

/* 0, or -1 with err (errno ENOENT: no such file). from: a byte offset to
 * start at (the end of the last whole line read before). */
int jsonl_open(struct jsonl *r, const char *path, off_t from, int live,
    char *err, size_t errlen);
/* The next object: 1 with *rec (valid until the next call), 0 at the end,
 * -1 with "path:line: why" in err. */
int jsonl_next(struct jsonl *r, const struct jrec **rec, char *err,
    size_t errlen);
void jsonl_close(struct jsonl *r);

/* Parse one line in place. 0, or -1 with a reason in *why. */
int jrec_parse(char *line, struct jrec *o, const char **why);

/* Whether the line has field k at all. */
int jr_has(const struct jrec *o, const char *k);
/* Fields: "" / dflt when absent or of another type. */
const char *jr_str(const struct jrec *o, const char *k);
int64_t jr_int(const struct jrec *o, const char *k, int64_t dflt);
/* A time field (ns since the epoch): 0, or -1 when absent, not an
 * integer or out of [IN_T_MIN, IN_T_MAX] (input.h). */
int jr_time(const struct jrec *o, const char *k, int64_t *t);

#endif
