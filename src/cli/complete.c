/*
 * complete.c - `timewait completion bash|zsh`: the shell completion script,
 * made from the same flag rows as the parsing and the help (cli/flags.h),
 * so that a new flag is completed without anyone writing it twice. `make
 * install` installs its output for bash and zsh (zsh through bashcompinit).
 */
#include <stdio.h>
#include <string.h>

#include "cli/flags.h"
#include "commands.h"

static const struct flag_cmd *const registry[] = {
	&options_server_cmd, &options_client_cmd,
	&lab_run_cmd, &lab_list_cmd, &lab_check_cmd, &lab_up_cmd, &lab_exec_cmd, &lab_down_cmd,
	&lab_status_cmd, &lab_clean_cmd,
	&report_cmd, &bench_cmd, &watch_cmd,
};
#define NREG (sizeof(registry) / sizeof(registry[0]))

static int
takes_value(const struct flag_row *r)
{
	return r->kind == FLAG_LONG || r->kind == FLAG_DOUBLE || r->kind == FLAG_PORT ||
	    r->kind == FLAG_STRING || r->kind == FLAG_CHOICE || r->kind == FLAG_FUNC;
}

/* Every row of c, once. */
#define EACH_ROW(c, l, r) \
	for (l = 0; l < 4 && (c)->layers[l] != NULL; l++) \
		for (r = (c)->layers[l]; r->name != NULL; r++)

static void
flag_words(FILE *f, const struct flag_cmd *c)
{
	const struct flag_row *r;
	int l;

	fprintf(f, "\t\"%s\") echo '", c->name);
	EACH_ROW(c, l, r) {
		fprintf(f, "--%s%s ", r->name, r->kind == FLAG_OPTIONAL ? "=" : "");
		if (r->letter)
			fprintf(f, "-%c ", r->letter);
	}
	fprintf(f, "' ;;\n");
}

/* A case arm per flag that takes a value: what may follow it. */
static void
value_arms(FILE *f, const struct flag_cmd *c)
{
	const struct flag_row *r;
	char choices[256], *p;
	int l;

	EACH_ROW(c, l, r) {
		if (!takes_value(r))
			continue;
		fprintf(f, "\t\"%s --%s\"", c->name, r->name);
		if (r->letter)
			fprintf(f, "|\"%s -%c\"", c->name, r->letter);
		fprintf(f, ") ");
		if (r->kind == FLAG_CHOICE && r->choices != NULL) {
			snprintf(choices, sizeof(choices), "%s", r->choices);
			for (p = choices; *p; p++)
				if (*p == '|')
					*p = ' ';
			fprintf(f, "COMPREPLY=( $(compgen -W '%s' -- \"$cur\") )", choices);
		} else if (r->complete == COMPLETE_FILE) {
			fprintf(f, "COMPREPLY=( $(compgen -f -- \"$cur\") )");
		} else if (r->complete == COMPLETE_DIR) {
			fprintf(f, "COMPREPLY=( $(compgen -d -- \"$cur\") )");
		} else {
			fprintf(f, "COMPREPLY=()");
		}
		fprintf(f, "; return 0 ;;\n");
	}
}

static void
word_arm(FILE *f, const struct flag_cmd *c)
{
	if (c->words == NULL && c->complete_words == NULL)
		return;
	fprintf(f, "\t\"%s\") echo '", c->name);
	if (c->words != NULL)
		fprintf(f, "%s", c->words);
	if (c->complete_words != NULL)
		c->complete_words(f);
	fprintf(f, "' ;;\n");
}

/* The top-level commands and lab's subcommands, from the names. */
static void
command_words(FILE *f, const char *parent)
{
	size_t i, j, plen = parent ? strlen(parent) : 0;

	for (i = 0; i < NREG; i++) {
		const char *n = registry[i]->name, *sp;
		int seen = 0;

		if (registry[i]->hidden)
			continue;
		if (parent != NULL) {
			if (strncmp(n, parent, plen) != 0 || n[plen] != ' ')
				continue;
			fprintf(f, "%s ", n + plen + 1);
			continue;
		}
		sp = strchr(n, ' ');
		for (j = 0; j < i; j++)
			seen |= strncmp(registry[j]->name, n, sp ? (size_t)(sp - n) : strlen(n) + 1) == 0;
		if (!seen)
			fprintf(f, "%.*s ", sp ? (int)(sp - n) : (int)strlen(n), n);
	}
}

static void
bash_script(FILE *f)
{
	size_t i;

	fprintf(f, "# bash completion for timewait, timewait_server and timewait_client.\n"
	    "# Made by 'timewait completion bash' from the programs' flag tables.\n\n"
	    "_timewait_flags() {\n\tcase \"$1\" in\n");
	for (i = 0; i < NREG; i++)
		flag_words(f, registry[i]);
	fprintf(f, "\tesac\n}\n\n_timewait_value() {\n\tlocal cur=$3\n\tcase \"$1 $2\" in\n");
	for (i = 0; i < NREG; i++)
		value_arms(f, registry[i]);
	fprintf(f, "\tesac\n\treturn 1\n}\n\n_timewait_words() {\n\tcase \"$1\" in\n");
	for (i = 0; i < NREG; i++)
		word_arm(f, registry[i]);
	fprintf(f, "\tesac\n}\n\n"
	    "_timewait() {\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} key w\n"
	    "\tCOMPREPLY=()\n"
	    "\tcase \"${COMP_WORDS[0]##*/}\" in\n"
	    "\ttimewait_server) key=server ;;\n"
	    "\ttimewait_client) key=client ;;\n"
	    "\t*)\n"
	    "\t\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	    "\t\t\tCOMPREPLY=( $(compgen -W '");
	command_words(f, NULL);
	fprintf(f, "completion --help --version' -- \"$cur\") )\n"
	    "\t\t\treturn\n\t\tfi\n"
	    "\t\tkey=${COMP_WORDS[1]}\n"
	    "\t\tif [ \"$key\" = completion ]; then\n"
	    "\t\t\tCOMPREPLY=( $(compgen -W 'bash zsh' -- \"$cur\") ); return\n\t\tfi\n"
	    "\t\tif [ \"$key\" = lab ]; then\n"
	    "\t\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then\n"
	    "\t\t\t\tCOMPREPLY=( $(compgen -W '");
	command_words(f, "lab");
	fprintf(f, "--help' -- \"$cur\") )\n"
	    "\t\t\t\treturn\n\t\t\tfi\n"
	    "\t\t\tkey=\"lab ${COMP_WORDS[2]}\"\n"
	    "\t\tfi ;;\n"
	    "\tesac\n"
	    "\tif [ \"$key\" = \"lab exec\" ]; then\n"
	    "\t\tfor w in \"${COMP_WORDS[@]:3:COMP_CWORD-3}\"; do\n"
	    "\t\t\t[ \"$w\" = -- ] && { COMPREPLY=( $(compgen -c -- \"$cur\") ); return; }\n"
	    "\t\tdone\n\tfi\n"
	    "\t_timewait_value \"$key\" \"$prev\" \"$cur\" && return\n"
	    "\tcase \"$cur\" in\n"
	    "\t-*) COMPREPLY=( $(compgen -W \"$(_timewait_flags \"$key\")\" -- \"$cur\") ) ;;\n"
	    "\t*) COMPREPLY=( $(compgen -W \"$(_timewait_words \"$key\")\" -- \"$cur\") ) ;;\n"
	    "\tesac\n"
	    "}\n"
	    "complete -F _timewait timewait timewait_server timewait_client\n");
}

int
completion_main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "bash") == 0) {
		bash_script(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "zsh") == 0) {
		printf("#compdef timewait timewait_server timewait_client\n"
		    "# zsh completion for timewait: the bash one, through bashcompinit.\n"
		    "autoload -U +X bashcompinit && bashcompinit\n\n");
		bash_script(stdout);
		return 0;
	}
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: timewait completion bash|zsh\n\n"
		    "Print the shell completion script for timewait, timewait_server and\n"
		    "timewait_client ('make install' installs both).\n");
		return 0;
	}
	fprintf(stderr, "timewait completion: which shell, bash or zsh? "
	    "(try 'timewait completion --help')\n");
	return EXIT_USAGE;
}
