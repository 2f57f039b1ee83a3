/*
 * checkprog.c - the checks of a program itself, not of its packets: how
 * it ended (check exit) and what it wrote (check output, from NAME.log in
 * the run folder, read through the folder's descriptor, never a link).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkint.h"
#include "fsafe.h"
#include "util.h"

/* How a program ended: by itself with a status, by a signal, or not at
 * all before the end (the lab stopped it). */
int
ck_check_exit(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	const struct proc_rec *p = rec_proc(r, c->who);

	if (p == NULL)
		return 0;
	if (!p->started) {
		snprintf(seen, len, "%s never started", c->who);
		return 0;
	}
	if (!p->exited) {
		snprintf(seen, len, "%s %s", c->who, p->stopped ?
		    "still ran at the end (the lab stopped it)" : "was never seen to exit");
		return 0;
	}
	if (p->exit_code < 0) {
		snprintf(seen, len, "%s was killed by signal %d (%s)", c->who, p->exit_signal,
		    strsignal(p->exit_signal));
		return c->sig != 0 && p->exit_signal == c->sig;
	}
	snprintf(seen, len, "%s exited with status %d", c->who, p->exit_code);
	if (c->sig != 0)
		return 0;
	return c->atleast ? p->exit_code >= c->n : p->exit_code == c->n;
}

/*
 * Up to max bytes of the log's first lines into out, each line's blanks
 * kept, its other control bytes and non-ASCII shown as '?', a newline as
 * the two characters \n (not a '|': seen goes into report.md's tables):
 * enough for a person to see what the program said instead.
 */
static void
log_excerpt(const char *b, size_t n, char *out, size_t max)
{
	size_t i, o = 0;

	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r'))
		n--;
	/* room left for one more \n, a closing "..." and the NUL */
	for (i = 0; i < n && o + 6 <= max; i++) {
		unsigned char ch = (unsigned char)b[i];

		if (ch == '\n') {
			memcpy(out + o, "\\n", 2);
			o += 2;
		} else if (ch == '\r') {
			continue;
		} else {
			out[o++] = ch == '\t' || (ch >= ' ' && ch < 0x7f) ? (char)ch : '?';
		}
	}
	if (i < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* Where text first occurs in b[0..n): memmem, not strstr, so a NUL byte
 * the program wrote does not hide what follows it. */
static const char *
find_text(const char *b, size_t n, const char *text)
{
	return memmem(b, n, text, strlen(text));
}

/*
 * What a program wrote to its stdout and stderr, NAME.log in the run
 * folder: its first CHECK_OUTPUT_MAX bytes, read through the folder's
 * descriptor, never through a link, from a file root made (a program
 * writes to it only through the descriptor it was given).
 */
int
ck_check_output(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len)
{
	const struct proc_rec *p = rec_proc(r, c->who);
	char name[32], head[100];	/* names: at most 23 (scenint.h) */
	const char *at;
	size_t n, line = 1, i;
	off_t size = 0;
	char *b = NULL;
	int dirfd, rc, pass;

	if (p == NULL)
		return 0;
	if (!p->started) {
		snprintf(seen, len, "%s never started", c->who);
		return 0;
	}
	snprintf(name, sizeof(name), "%s.log", c->who);
	if (r->dir == NULL || (dirfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(seen, len, "cannot open the run folder to read %s", name);
		return 0;
	}
	rc = fs_read_head(dirfd, name, CHECK_OUTPUT_MAX, geteuid() == 0, &b, &n, &size);
	close(dirfd);
	if (rc < 0) {
		snprintf(seen, len, "cannot read %s: %s", name, strerror(errno));
		return 0;
	}
	at = find_text(b, n, c->text);
	if (at != NULL) {
		for (i = 0; b + i < at; i++)
			line += b[i] == '\n';
		/* the line it is in, from its start */
		while (at > b && at[-1] != '\n')
			at--;
		log_excerpt(at, strcspn(at, "\n"), head, sizeof(head));
		snprintf(seen, len, "found in line %zu of %s: %s", line, name, head);
		pass = c->n == 1;
	} else if (n == 0) {
		snprintf(seen, len, "not found: %s is empty", name);
		pass = c->n == 0;
	} else if ((off_t)n < size) {
		/* what lies past the limit was not read: absence is not shown */
		log_excerpt(b, n, head, sizeof(head));
		snprintf(seen, len, "not found in the first %zu of %lld bytes of %s (the rest "
		    "is not read): %s", n, (long long)size, name, head);
		pass = 0;
	} else {
		log_excerpt(b, n, head, sizeof(head));
		snprintf(seen, len, "not found in %zu byte%s of %s: %s", n, n == 1 ? "" : "s",
		    name, head);
		pass = c->n == 0;
	}
	free(b);
	return pass;
}
