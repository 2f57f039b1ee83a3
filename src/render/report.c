/*
 * report.c - `timewait report DIR`: redraw everything from a run's files.
 *
 * DIR is a run folder (one folder per test) or a single test's folder. For
 * each test it rebuilds timeline.json and draws sequence.svg, sequence.puml
 * and sequence.mmd; --text prints the text timeline; --html writes one
 * report.html for the run. Files brought back from two real machines (each
 * side's --events log and pcap, no lab.json) are read with the clock offset
 * between the machines estimated from the handshakes (--remote forces it).
 * The work itself is in files.c (a test's files) and html.c (the page).
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/flags.h"
#include "commands.h"
#include "fsafe.h"
#include "render/render.h"

/* The command line of `timewait report`: one row per flag (cli/flags.h). */
struct report_opts {
	const char *html;	/* "" : DIR/report.html */
	int text, color, no_color, remote;
};

#define ROFF(f) offsetof(struct report_opts, f)

static const struct flag_row report_flags[] = {
	FLAG("html", 0, FLAG_OPTIONAL, ROFF(html), "FILE", NULL,
	    "also write one page for the whole run (default DIR/report.html);\n"
	    "                             --html FILE and --html=FILE both name it"),
	FLAG("text", 0, FLAG_BOOL, ROFF(text), NULL, NULL, "print each test's timeline on standard output"),
	FLAG("color", 0, FLAG_BOOL, ROFF(color), NULL, NULL,
	    "colour the states in the text (default: on a terminal, unless NO_COLOR is set)"),
	FLAG("no-color", 0, FLAG_BOOL, ROFF(no_color), NULL, NULL, "never colour"),
	FLAG("remote", 0, FLAG_BOOL, ROFF(remote), NULL, NULL,
	    "files from two real machines: estimate the clock offset from the\n"
	    "                             handshakes (the default when there is no lab.json)"),
	FLAG_LAYER_END,
};

const struct flag_cmd report_cmd = {
	.name = "report",
	.synopsis = "DIR [--html [FILE]] [--text] [--color|--no-color] [--remote]",
	.about = "Redraw everything from a run's files. DIR is a run folder (one folder\n"
	    "per test) or one test's folder. For each test, writes timeline.json,\n"
	    "sequence.svg, sequence.puml and sequence.mmd next to its files.",
	.layers = { flags_common, report_flags, NULL },
	.epilog = "Files from two machines: put each side's pcap and --events log in one\n"
	    "folder, named after the host: client.pcap, client.events.jsonl (or\n"
	    "client.client.events.jsonl), server.pcap, server.events.jsonl.",
};

int
report_main(int argc, char **argv)
{
	struct report_opts ro;
	struct flags_result fr;
	int html, text, remote, color, fails = 0, rc, k;
	const char *html_path = NULL, *dir;
	char err[512];
	struct stat st;

	memset(&ro, 0, sizeof(ro));
	if ((rc = flags_run(&report_cmd, &ro, argc, argv, &fr)) != -1)
		return rc;
	html = ro.html != NULL;
	if (html && ro.html[0] != '\0')
		html_path = ro.html;
	/* "--html FILE" beside DIR: the word after --html is the page. */
	if (html && html_path == NULL && fr.optional_next != NULL && fr.npos == 2) {
		html_path = fr.optional_next;
		for (k = 0; k < fr.npos; k++)
			if (fr.pos[k] == fr.optional_next) {
				fr.pos[k] = fr.pos[fr.npos - 1];
				fr.npos--;
				break;
			}
	}
	if (fr.npos == 0)
		return flags_usage_error(&report_cmd, argv[0], "which run folder?");
	if (fr.npos > 1)
		return flags_usage_error(&report_cmd, argv[0], "one run folder only, not '%s'",
		    fr.pos[1]);
	text = ro.text;
	remote = ro.remote;
	color = ro.no_color ? 0 : ro.color ? 1 : isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	dir = fr.pos[0];
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return flags_usage_error(&report_cmd, argv[0], "%s: not a folder", dir);
	{	/* We write into it, maybe as root: only a folder nobody else can change. */
		int fd = fs_open_outdir(dir, 0, err, sizeof(err));

		if (fd < 0 || (html_path && fs_check_out_file(html_path, err, sizeof(err)))) {
			if (fd >= 0)
				close(fd);
			return flags_error(&report_cmd, argv[0], "%s", err);
		}
		close(fd);
	}
	if (html && !remote && !text) {
		/* One load a test: the page and the files together. */
		if (report_html_ex(dir, html_path, 1, err, sizeof(err))) {
			fprintf(stderr, "timewait report: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (rd_is_test_dir(dir)) {
		if (render_all(dir, remote, err, sizeof(err))) {
			fprintf(stderr, "timewait report: %s\n", err);
			fails++;
		}
		if (text && render_text(dir, stdout, color))
			fails++;
	} else {
		struct dirent **names;
		int n = scandir(dir, &names, NULL, alphasort);

		for (int i = 0; i < n; i++) {
			char sub[4200];

			snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]->d_name);
			if (names[i]->d_name[0] != '.' && rd_is_test_dir(sub)) {
				if (render_all(sub, remote, err, sizeof(err))) {
					fprintf(stderr, "timewait report: %s\n", err);
					fails++;
				} else if (text && render_text(sub, stdout, color)) {
					fails++;
				}
			}
			free(names[i]);
		}
		if (n >= 0)
			free(names);
	}
	if (html && report_html(dir, html_path, err, sizeof(err))) {
		fprintf(stderr, "timewait report: %s\n", err);
		fails++;
	}
	return fails ? 1 : 0;
}
