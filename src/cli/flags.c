/*
 * flags.c - parsing a command's flag rows into its options struct, and its
 * --help text, both from the same rows (flags.h says why). getopt_long does
 * the scanning: its tables are made here from the rows, so a flag cannot be
 * parsed and undocumented, or documented and unknown.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/flags.h"
#include "util.h"

#define MAX_ROWS 64
#define ID_BASE 256	/* getopt's value for row i is ID_BASE + i */

const struct flag_row flags_common[] = {
	{ .name = "help", .letter = 'h', .kind = FLAG_HELP, .help = "this help" },
	{ .name = "version", .letter = 'V', .kind = FLAG_VERSION, .help = "the version of timewait" },
	{ .name = NULL },
};

/* Every row of the command, layers in order. */
static size_t
rows_of(const struct flag_cmd *c, const struct flag_row **rows)
{
	size_t n = 0;
	int l;

	for (l = 0; l < 4 && c->layers[l] != NULL; l++) {
		const struct flag_row *r;

		for (r = c->layers[l]; r->name != NULL && n < MAX_ROWS; r++)
			rows[n++] = r;
	}
	return n;
}

static void *
field(void *opts, const struct flag_row *r)
{
	return (char *)opts + r->off;
}

static int
set_choice(const struct flag_row *r, int *out, const char *v)
{
	const char *p = r->choices;
	size_t len = strlen(v);
	int i = 0;

	while (p != NULL && *p != '\0') {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (n == len && strncmp(p, v, n) == 0) {
			*out = i;
			return 0;
		}
		i++;
		p = bar ? bar + 1 : NULL;
	}
	return -1;
}

/* Store one value of row r; -1 with msg filled if it is not one. */
static int
apply(const struct flag_row *r, void *opts, const char *v, char *msg, size_t msglen)
{
	double d;
	long l;

	switch (r->kind) {
	case FLAG_BOOL:
		*(int *)field(opts, r) = 1;
		return 0;
	case FLAG_LONG:
		if (parse_long(v, (long)r->min, (long)r->max, &l) == -1) {
			snprintf(msg, msglen, "--%s wants a whole number from %ld to %ld, not '%s'",
			    r->name, (long)r->min, (long)r->max, v);
			return -1;
		}
		*(long *)field(opts, r) = l;
		return 0;
	case FLAG_DOUBLE:
		if (parse_double(v, r->min, r->max, &d) == -1) {
			snprintf(msg, msglen, "--%s wants a number from %g to %g, not '%s'",
			    r->name, r->min, r->max, v);
			return -1;
		}
		*(double *)field(opts, r) = d;
		return 0;
	case FLAG_PORT:
		if (parse_port(v, (uint16_t *)field(opts, r)) == -1) {
			snprintf(msg, msglen, "--%s wants a port from 1 to 65535, not '%s'",
			    r->name, v);
			return -1;
		}
		return 0;
	case FLAG_STRING:
		if (*v == '\0') {
			snprintf(msg, msglen, "--%s wants a %s, not an empty word", r->name,
			    r->arg ? r->arg : "value");
			return -1;
		}
		*(const char **)field(opts, r) = v;
		return 0;
	case FLAG_OPTIONAL:
		*(const char **)field(opts, r) = v;
		return 0;
	case FLAG_CHOICE:
		if (set_choice(r, (int *)field(opts, r), v) == -1) {
			snprintf(msg, msglen, "--%s is one of %s, not '%s'", r->name,
			    r->choices, v);
			return -1;
		}
		return 0;
	case FLAG_FUNC:
	case FLAG_ACTION:
		msg[0] = '\0';
		if (r->fn(opts, v, msg, msglen) == -1) {
			if (msg[0] == '\0')
				snprintf(msg, msglen, "bad value for --%s: '%s'", r->name,
				    v ? v : "");
			return -1;
		}
		return 0;
	case FLAG_HELP:
	case FLAG_VERSION:
		return 0;
	}
	snprintf(msg, msglen, "internal: --%s has no kind", r->name);
	return -1;
}

static int
takes_value(const struct flag_row *r)
{
	return r->kind == FLAG_LONG || r->kind == FLAG_DOUBLE || r->kind == FLAG_PORT ||
	    r->kind == FLAG_STRING || r->kind == FLAG_CHOICE || r->kind == FLAG_FUNC;
}

int
flags_defaults(const struct flag_cmd *c, void *opts, char *msg, size_t msglen)
{
	const struct flag_row *rows[MAX_ROWS];
	size_t n = rows_of(c, rows), i;

	for (i = 0; i < n; i++)
		if (rows[i]->def != NULL && apply(rows[i], opts, rows[i]->def, msg, msglen) == -1)
			return -1;
	return 0;
}

static enum flags_status
bad(struct flags_result *r, const char *f, ...) __attribute__((format(printf, 2, 3)));

static enum flags_status
bad(struct flags_result *r, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(r->msg, sizeof(r->msg), f, ap);
	va_end(ap);
	return r->status = FLAGS_BAD;
}

/* The flag as typed, for a message: "--x" from "--x=3", or "-x". */
static void
as_typed(const char *word, char *buf, size_t len)
{
	size_t n = strcspn(word, "=");

	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), word);
}

enum flags_status
flags_parse(const struct flag_cmd *c, void *opts, int argc, char **argv,
    struct flags_result *r)
{
	const struct flag_row *rows[MAX_ROWS];
	struct option longopts[MAX_ROWS + 1];
	char shortopts[2 * MAX_ROWS + 3], typed[64];
	size_t n = rows_of(c, rows), i, ns = 0;
	int ch, k;

	memset(r, 0, sizeof(*r));
	if (flags_defaults(c, opts, r->msg, sizeof(r->msg)) == -1)
		return r->status = FLAGS_BAD;
	shortopts[ns++] = ':';	/* a missing value comes back as ':' */
	for (i = 0; i < n; i++) {
		longopts[i].name = rows[i]->name;
		longopts[i].has_arg = takes_value(rows[i]) ? required_argument :
		    rows[i]->kind == FLAG_OPTIONAL ? optional_argument : no_argument;
		longopts[i].flag = NULL;
		longopts[i].val = ID_BASE + (int)i;
		if (rows[i]->letter) {
			shortopts[ns++] = (char)rows[i]->letter;
			if (takes_value(rows[i]))
				shortopts[ns++] = ':';
		}
	}
	memset(&longopts[n], 0, sizeof(longopts[n]));
	shortopts[ns] = '\0';

	optind = 0;	/* glibc: start afresh, so one process may parse twice */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct flag_row *row = NULL;

		if (ch == '?') {
			if (optopt >= ID_BASE && optopt < ID_BASE + (int)n)
				return bad(r, "--%s takes no value", rows[optopt - ID_BASE]->name);
			if (optopt > 0 && optopt < ID_BASE)
				return bad(r, "unknown flag '-%c'", optopt);
			as_typed(argv[optind - 1], typed, sizeof(typed));
			return bad(r, "unknown flag '%s'", typed);
		}
		if (ch == ':') {
			if (optopt > 0 && optopt < ID_BASE)
				return bad(r, "-%c needs a value", optopt);
			as_typed(argv[optind - 1], typed, sizeof(typed));
			return bad(r, "%s needs a value", typed);
		}
		if (ch >= ID_BASE)
			row = rows[ch - ID_BASE];
		else
			for (i = 0; i < n && row == NULL; i++)
				if (rows[i]->letter == ch)
					row = rows[i];
		if (row == NULL)
			return bad(r, "internal: no row for flag %d", ch);
		if (row->kind == FLAG_HELP)
			return r->status = FLAGS_HELP;
		if (row->kind == FLAG_VERSION)
			return r->status = FLAGS_VERSION;
		if (row->kind == FLAG_OPTIONAL && optarg == NULL) {
			/* Without "=": the next word, if plain, may be its value. */
			if (optind < argc && argv[optind][0] != '-')
				r->optional_next = argv[optind];
			optarg = (char *)"";
		}
		if (apply(row, opts, optarg, r->msg, sizeof(r->msg)) == -1)
			return r->status = FLAGS_BAD;
	}
	for (k = optind; k < argc; k++) {
		if (r->npos == FLAGS_MAX_POS)
			return bad(r, "too many arguments (at most %d)", FLAGS_MAX_POS);
		r->pos[r->npos++] = argv[k];
	}
	return r->status = FLAGS_OK;
}

const char *
flags_prefix(const struct flag_cmd *c, const char *argv0, char *buf, size_t len)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	if (base != NULL && strncmp(base, "timewait_", 9) == 0)
		snprintf(buf, len, "%s", base);
	else
		snprintf(buf, len, "timewait %s", c->name);
	return buf;
}

/* The left column of a row: "-p, --port PORT" or "    --fast". */
static void
left_column(const struct flag_row *r, char *buf, size_t len)
{
	const char *arg = r->arg ? r->arg : r->choices ? r->choices : "VALUE";

	if (r->kind == FLAG_OPTIONAL)
		snprintf(buf, len, "%s%c%s--%s[=%s]", r->letter ? "-" : "    ",
		    r->letter ? r->letter : ' ', r->letter ? ", " : "", r->name, arg);
	else if (r->letter)
		snprintf(buf, len, "-%c, --%s%s%s", r->letter, r->name,
		    takes_value(r) ? " " : "", takes_value(r) ? arg : "");
	else
		snprintf(buf, len, "    --%s%s%s", r->name, takes_value(r) ? " " : "",
		    takes_value(r) ? arg : "");
}

void
flags_usage(const struct flag_cmd *c, const char *argv0, FILE *f)
{
	const struct flag_row *rows[MAX_ROWS];
	size_t n = rows_of(c, rows), i;
	char prefix[96], left[64];

	fprintf(f, "usage: %s %s\n\n%s\n\noptions:\n", flags_prefix(c, argv0, prefix,
	    sizeof(prefix)), c->synopsis, c->about);
	for (i = 0; i < n; i++) {
		const struct flag_row *r = rows[i];

		left_column(r, left, sizeof(left));
		if (strlen(left) > 26)
			fprintf(f, "  %s\n  %-26s ", left, "");
		else
			fprintf(f, "  %-26s ", left);
		fprintf(f, "%s", r->help);
		if (r->def != NULL && r->kind != FLAG_BOOL)
			fprintf(f, " (default %s)", r->def);
		fputc('\n', f);
	}
	if (c->more_help != NULL)
		c->more_help(f);
	if (c->epilog != NULL)
		fprintf(f, "\n%s\n", c->epilog);
}

static int
say(const struct flag_cmd *c, const char *argv0, int hint, const char *f, va_list ap)
{
	char prefix[96], line[512];

	vsnprintf(line, sizeof(line), f, ap);
	flags_prefix(c, argv0, prefix, sizeof(prefix));
	if (hint)
		fprintf(stderr, "%s: %s (try '%s --help')\n", prefix, line, prefix);
	else
		fprintf(stderr, "%s: %s\n", prefix, line);
	return hint ? EXIT_USAGE : 1;
}

int
flags_usage_error(const struct flag_cmd *c, const char *argv0, const char *f, ...)
{
	va_list ap;
	int rc;

	va_start(ap, f);
	rc = say(c, argv0, 1, f, ap);
	va_end(ap);
	return rc;
}

int
flags_error(const struct flag_cmd *c, const char *argv0, const char *f, ...)
{
	va_list ap;
	int rc;

	va_start(ap, f);
	rc = say(c, argv0, 0, f, ap);
	va_end(ap);
	return rc;
}

int
flags_run(const struct flag_cmd *c, void *opts, int argc, char **argv,
    struct flags_result *r)
{
	switch (flags_parse(c, opts, argc, argv, r)) {
	case FLAGS_OK:
		return -1;
	case FLAGS_HELP:
		flags_usage(c, argv[0], stdout);
		return 0;
	case FLAGS_VERSION:
		printf("timewait %s\n", TIMEWAIT_VERSION);
		return 0;
	case FLAGS_BAD:
		break;
	}
	return flags_usage_error(c, argv[0], "%s", r->msg);
}
