/*
 * report.c - `timewait report DIR`: redraw everything from a run's files.
 *
 * DIR is a run folder (one folder per test) or a single test's folder. For
 * each test it rebuilds timeline.json and draws sequence.svg, sequence.puml
 * and sequence.mmd; --text prints the text timeline; --html writes one
 * report.html for the run. Files brought back from two real machines (each
 * side's --events log and pcap, no lab.json) are read with the clock offset
 * between the machines estimated from the handshakes (--remote forces it).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "fsafe.h"
#include "render/render.h"

static int
write_file(const char *dir, const char *name, const struct timeline *tl,
    int (*fn)(const struct timeline *, FILE *), char *err, size_t errlen)
{
	char path[4200];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* A folder of root's or the caller's alone; a link there is replaced. */
	if (!(f = fs_fopen_out(path, err, errlen)))
		return -1;
	rc = fn(tl, f);
	errno = 0;
	if (fclose(f) || rc) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, e ? strerror(e) : "write failed");
		unlink(path);	/* no half file; errno stays for the caller */
		errno = e;
		return -1;
	}
	return 0;
}

static int
json_fn(const struct timeline *tl, FILE *f)
{
	return timeline_write_json(tl, f);
}

static int
has_file(const char *dir, const char *name)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}


static int
load_any(const char *testdir, int remote, struct timeline **tl, char *err,
    size_t errlen)
{
	if (remote || !has_file(testdir, "lab.json"))
		return timeline_load_remote(testdir, tl, err, errlen);
	return timeline_load(testdir, tl, err, errlen);
}

int
render_all(const char *testdir, int remote, char *err, size_t errlen)
{
	struct timeline *tl;
	int rc;

	if (load_any(testdir, remote, &tl, err, errlen))
		return -1;
	rc = render_files(testdir, tl, err, errlen);
	timeline_free(tl);
	return rc;
}

int
render_files(const char *dir, const struct timeline *tl, char *err,
    size_t errlen)
{
	if (write_file(dir, "timeline.json", tl, json_fn, err, errlen) ||
	    write_file(dir, "sequence.svg", tl, render_svg, err, errlen) ||
	    write_file(dir, "sequence.puml", tl, render_puml, err, errlen) ||
	    write_file(dir, "sequence.mmd", tl, render_mermaid, err, errlen))
		return -1;
	return 0;
}

int
render_text(const char *testdir, FILE *out, int color)
{
	struct timeline *tl;
	char err[256];
	int rc;

	if (load_any(testdir, 0, &tl, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	rc = render_text_tl(tl, out, color);
	timeline_free(tl);
	return rc;
}

static void
usage(FILE *f, const char *argv0)
{
	fprintf(f,
	    "usage: %s DIR [--html [FILE]] [--text] [--color|--no-color] [--remote]\n"
	    "\n"
	    "Redraw everything from a run's files. DIR is a run folder (one folder\n"
	    "per test) or one test's folder. For each test, writes timeline.json,\n"
	    "sequence.svg, sequence.puml and sequence.mmd next to its files.\n"
	    "\n"
	    "  --html [FILE]  also write one page for the whole run (DIR/report.html)\n"
	    "  --text         print each test's timeline on standard output\n"
	    "  --color        colour the states in the text (default: on a terminal,\n"
	    "                 unless NO_COLOR is set)\n"
	    "  --no-color     never colour\n"
	    "  --remote       files from two real machines: estimate the clock offset\n"
	    "                 from the handshakes (the default when there is no lab.json)\n"
	    "  -h, --help     this help\n"
	    "\n"
	    "Files from two machines: put each side's pcap and --events log in one\n"
	    "folder, named after the host: client.pcap, client.events.jsonl (or\n"
	    "client.client.events.jsonl), server.pcap, server.events.jsonl.\n", argv0);
}

static void
short_usage(const char *argv0)
{
	fprintf(stderr, "usage: %s DIR [--html [FILE]] [--text] [--color|--no-color] "
	    "[--remote]\n(%s --help says more)\n", argv0, argv0);
}

int
report_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "html", optional_argument, NULL, 'H' },
		{ "text", no_argument, NULL, 't' },
		{ "color", no_argument, NULL, 'c' },
		{ "no-color", no_argument, NULL, 'n' },
		{ "remote", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int html = 0, text = 0, remote = 0, o, fails = 0;
	int color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	const char *html_path = NULL, *dir;
	char err[512];
	struct stat st;

	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'H':
			html = 1;
			if (optarg)
				html_path = optarg;
			else if (optind < argc && argv[optind][0] != '-' &&
			    optind + 1 < argc)
				html_path = argv[optind++];
			break;
		case 't': text = 1; break;
		case 'c': color = 1; break;
		case 'n': color = 0; break;
		case 'r': remote = 1; break;
		case 'h': usage(stdout, argv[0]); return 0;
		default: short_usage(argv[0]); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		short_usage(argv[0]);
		return EXIT_USAGE;
	}
	dir = argv[optind];
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: %s: not a folder\n", argv[0], dir);
		return EXIT_USAGE;
	}
	{	/* We write into it, maybe as root: only a folder nobody else can change. */
		int fd = fs_open_outdir(dir, 0, err, sizeof(err));

		if (fd < 0 || (html_path && fs_check_out_file(html_path, err, sizeof(err)))) {
			fprintf(stderr, "%s: %s\n", argv[0], err);
			if (fd >= 0)
				close(fd);
			return 1;
		}
		close(fd);
	}
	if (html && !remote && !text) {
		/* One load a test: the page and the files together. */
		if (report_html_ex(dir, html_path, 1, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", argv[0], err);
			return 1;
		}
		return 0;
	}
	if (rd_is_test_dir(dir)) {
		if (render_all(dir, remote, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", argv[0], err);
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
					fprintf(stderr, "%s: %s\n", argv[0], err);
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
		fprintf(stderr, "%s: %s\n", argv[0], err);
		fails++;
	}
	return fails ? 1 : 0;
}
