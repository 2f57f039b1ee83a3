/*
 * flags.h - one table of flags per command, in the spirit of neper's
 * define_all_flags.c: every flag is one row (long name, short letter, kind
 * of value, default, help), and from the rows alone come getopt_long's
 * tables, the parsing into the command's options struct, the --help text
 * and the shell completion. A command's table is layered: the common rows
 * (help, version) and then its own.
 *
 * Parsing never prints and never exits, so the unit tests can call it;
 * flags_run() is the thin shell around it that prints help, the version or
 * the one-line error, and gives the exit status. One error convention for
 * every command: `timewait <command>: message` on stderr, exit 2 for bad
 * usage (with the hint `try 'timewait <command> --help'`), 1 for failures.
 */
#ifndef TIMEWAIT_CLI_FLAGS_H
#define TIMEWAIT_CLI_FLAGS_H

#include <stddef.h>
#include <stdio.h>

#define EXIT_USAGE 2

#ifndef TIMEWAIT_VERSION
#define TIMEWAIT_VERSION "0.1"
#endif

enum flag_kind {
	FLAG_BOOL = 1,	/* no value: the int becomes 1 */
	FLAG_LONG,	/* long, from min to max */
	FLAG_DOUBLE,	/* double, from min to max */
	FLAG_PORT,	/* uint16_t, 1-65535 */
	FLAG_STRING,	/* const char *, not empty */
	FLAG_CHOICE,	/* int: the index of the value among choices "a|b|c" */
	FLAG_OPTIONAL,	/* const char *: "--x" alone gives "", "--x=V" gives V */
	FLAG_FUNC,	/* a value, handed to fn */
	FLAG_ACTION,	/* no value: fn(opts, NULL, ...) */
	FLAG_HELP,	/* print the help, exit 0 */
	FLAG_VERSION,	/* print the version, exit 0 */
};

/* A value parsed by the command itself: 0, or -1 with msg filled. */
typedef int (*flag_fn)(void *opts, const char *value, char *msg, size_t msglen);

/* What the shell may complete a flag's value with. */
enum flag_complete { COMPLETE_NONE, COMPLETE_FILE, COMPLETE_DIR, COMPLETE_WORDS };

struct flag_row {
	const char *name;	/* the long name, without "--"; NULL ends a layer */
	int letter;		/* the short letter, 0 if none */
	enum flag_kind kind;
	size_t off;		/* where the value goes in the options struct */
	const char *arg;	/* the value's name in the help ("N", "FILE") */
	const char *def;	/* the default, parsed like a typed value; NULL: none */
	const char *help;
	double min, max;	/* FLAG_LONG, FLAG_DOUBLE */
	const char *choices;	/* FLAG_CHOICE: "client|server|rst"; words to complete */
	flag_fn fn;		/* FLAG_FUNC, FLAG_ACTION */
	enum flag_complete complete;
};

/* One row: name, letter, kind, offset, value name, default, help, and then
 * any of .min, .max, .choices, .fn, .complete by name. */
#define FLAG(name_, letter_, kind_, off_, arg_, def_, help_, ...) \
	{ .name = (name_), .letter = (letter_), .kind = (kind_), .off = (off_), \
	  .arg = (arg_), .def = (def_), .help = (help_), __VA_ARGS__ }
#define FLAG_LAYER_END { .name = NULL }

/* The rows every command has: -h/--help, -V/--version. */
extern const struct flag_row flags_common[];

struct flag_cmd {
	const char *name;	/* "server", "lab run" */
	const char *synopsis;	/* what follows the name on the usage line */
	const char *about;	/* a paragraph: what it does */
	const struct flag_row *layers[4];	/* NULL-terminated */
	const char *epilog;	/* after the options; NULL: none */
	void (*more_help)(FILE *);	/* e.g. the code tables; NULL: none */
	const char *words;	/* positional words to complete ("all seed 000") */
	void (*complete_words)(FILE *);	/* or made when asked, space-separated */
	int hidden;		/* not offered by completion */
};

#define FLAGS_MAX_POS 64

enum flags_status { FLAGS_OK, FLAGS_HELP, FLAGS_VERSION, FLAGS_BAD };

struct flags_result {
	enum flags_status status;
	char msg[256];		/* FLAGS_BAD: why, one line */
	char *pos[FLAGS_MAX_POS];	/* the words that are not flags, in order */
	int npos;
	/* A FLAG_OPTIONAL given without "=" and followed by a plain word: that
	 * word (also among pos), so that "--html FILE" can be told from DIR. */
	const char *optional_next;
};

/*
 * Fill opts from argv[1..]: first every row's default, then the flags in
 * argv order. Flags and plain words may mix; "--" ends the flags. Never
 * prints. r->status says what came of it.
 */
enum flags_status flags_parse(const struct flag_cmd *c, void *opts, int argc,
    char **argv, struct flags_result *r);

/* Only the rows' defaults (for a command that takes no argv, or tests). */
int flags_defaults(const struct flag_cmd *c, void *opts, char *msg, size_t msglen);

/* The --help text. argv0: how the command was called (for the programs). */
void flags_usage(const struct flag_cmd *c, const char *argv0, FILE *f);

/* "timewait lab run", or "timewait_server" when called by that name. */
const char *flags_prefix(const struct flag_cmd *c, const char *argv0, char *buf,
    size_t len);

/*
 * Parse, and print what parsing decided: help or version on stdout (exit
 * 0), an error on stderr (exit 2). Returns -1 when the command goes on,
 * else the exit status to return.
 */
int flags_run(const struct flag_cmd *c, void *opts, int argc, char **argv,
    struct flags_result *r);

/* `timewait <command>: message (try ...)` on stderr; returns EXIT_USAGE. */
int flags_usage_error(const struct flag_cmd *c, const char *argv0, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

/* `timewait <command>: message` on stderr; returns 1. */
int flags_error(const struct flag_cmd *c, const char *argv0, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

#endif
