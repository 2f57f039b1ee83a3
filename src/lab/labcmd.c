/*
 * labcmd.c - `timewait lab`: the command line of the lab.
 *
 *   run, list     the test catalogue (run.c)
 *   check FILE... validate scenario files without running them (scen/scencmd.c)
 *   up HOST...    build hosts by hand, capture on each, keep them (labkeep.c)
 *   exec HOST -- COMMAND...   run a command inside a host, interactively
 *   down          write the run folder and remove the lab
 *   status        the labs on this machine, and which are leftovers
 *   clean         remove what killed runs left behind
 *   bench-build   (hidden) time a 2-host lab built and destroyed
 *
 * Only parsing and wording here; the work is in hosts.c, spawn.c,
 * clean.c and labkeep.c. Every subcommand's flags are a table for the
 * flags helper (cli/flags.h). Exit status: 0, 1 failure, 2 bad input.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/flags.h"
#include "commands.h"
#include "lab/lab.h"
#include "lab/labint.h"
#include "lab/labkeep.h"
#include "lab/run.h"
#include "scen/scencmd.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: timewait lab COMMAND [ARGS...]\n\n"
	    "Isolated hosts on this machine (network namespaces on a bridge), for\n"
	    "running the tests or trying things by hand. Needs root.\n\n"
	    "  run TEST... [OPTIONS]         run tests from the catalogue or scenario files\n"
	    "                                (see 'lab run --help', docs/scenario-files.md)\n"
	    "  list [FILE...]                list the tests, shipped and given\n"
	    "  check [FILE...]               validate scenario files without running them\n"
	    "  up HOST...                    build hosts (client, server, server2, backend or any\n"
	    "                                name of 1-12 a-z/0-9), capture on each, keep them up\n"
	    "  exec [--lab ID] [--user nobody] HOST -- COMMAND [ARGS...]\n"
	    "                                run a command inside HOST (its addresses, its\n"
	    "                                /etc/hosts naming the other hosts); exit status is\n"
	    "                                the command's\n"
	    "  down [--lab ID] [--out DIR]   write the run folder (default ./runs/<lab id>/:\n"
	    "                                <host>.pcap, hosts, lab.json) and remove the lab\n"
	    "  status                        every lab on this machine, and which are leftovers\n"
	    "  clean [--all] [-q]            remove labs whose owner is dead (--all: every lab)\n\n"
	    "Example (the seed's test 000; the two programs in two terminals):\n"
	    "  timewait lab up client server\n"
	    "  timewait lab exec server -- timewait_server 1\n"
	    "  timewait lab exec client -- timewait_client -t server 0\n"
	    "  timewait lab exec server -- ss -tan state time-wait\n"
	    "  timewait lab down\n");
}

static int
is_help(const char *s)
{
	return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0 || strcmp(s, "help") == 0;
}

/* ---- the subcommands' flags ---- */

struct lab_opts {
	const char *lab;	/* --lab ID */
	int user;		/* --user: 0 root, 1 nobody */
	const char *out;
	int json;
	int all;
	int quiet;
	long gap;
};

#define OFF(f) offsetof(struct lab_opts, f)

static const struct flag_row lab_id_flag[] = {
	FLAG("lab", 0, FLAG_STRING, OFF(lab), "ID", NULL,
	    "which lab (default: $TIMEWAIT_LAB, or the only one up)"),
	FLAG_LAYER_END,
};

static const struct flag_row exec_flags[] = {
	FLAG("user", 0, FLAG_CHOICE, OFF(user), NULL, "root", "run the command as this user",
	    .choices = "root|nobody"),
	FLAG_LAYER_END,
};

static const struct flag_row down_flags[] = {
	FLAG("out", 'o', FLAG_STRING, OFF(out), "DIR", NULL,
	    "the run folder (default ./runs/<lab id>/)", .complete = COMPLETE_DIR),
	FLAG_LAYER_END,
};

static const struct flag_row json_flag[] = {
	FLAG("json", 0, FLAG_BOOL, OFF(json), NULL, NULL, "as JSON on standard output"),
	FLAG_LAYER_END,
};

static const struct flag_row clean_flags[] = {
	FLAG("all", 0, FLAG_BOOL, OFF(all), NULL, NULL, "every lab, not only those whose owner is dead"),
	FLAG("quiet", 'q', FLAG_BOOL, OFF(quiet), NULL, NULL, "say nothing"),
	FLAG_LAYER_END,
};

static const struct flag_row build_flags[] = {
	FLAG("gap", 0, FLAG_LONG, OFF(gap), "MS", "0", "wait between runs (untimed)",
	    .min = 0, .max = 10000),
	FLAG_LAYER_END,
};

const struct flag_cmd lab_up_cmd = {
	.name = "lab up", .synopsis = "HOST...",
	.about = "Build hosts (client, server, server2, backend or any name of 1-12 a-z/0-9),\n"
	    "capture on each, and keep them up until 'timewait lab down'.",
	.layers = { flags_common, NULL },
	.words = "client server server2 backend",
};

const struct flag_cmd lab_exec_cmd = {
	.name = "lab exec", .synopsis = "[--lab ID] [--user root|nobody] HOST -- COMMAND [ARGS...]",
	.about = "Run a command inside HOST (its addresses, its /etc/hosts naming the other\n"
	    "hosts); the exit status is the command's.",
	.layers = { flags_common, lab_id_flag, exec_flags, NULL },
	.words = "client server server2 backend",
};

const struct flag_cmd lab_down_cmd = {
	.name = "lab down", .synopsis = "[--lab ID] [--out DIR]",
	.about = "Write the run folder (<host>.pcap, hosts, lab.json) and remove the lab.",
	.layers = { flags_common, lab_id_flag, down_flags, NULL },
};

const struct flag_cmd lab_status_cmd = {
	.name = "lab status", .synopsis = "[--json]",
	.about = "Every lab on this machine, whose it is, and which are leftovers.",
	.layers = { flags_common, json_flag, NULL },
};

const struct flag_cmd lab_clean_cmd = {
	.name = "lab clean", .synopsis = "[--all] [-q]",
	.about = "Remove labs whose owner is dead (--all: every lab), and what they left.",
	.layers = { flags_common, clean_flags, NULL },
};

static const struct flag_cmd lab_build_cmd = {
	.name = "lab bench-build", .synopsis = "[N] [--gap MS]",
	.about = "Time a 2-host lab built and destroyed N times (default 50), in-process.",
	.layers = { flags_common, build_flags, NULL }, .hidden = 1,
};

/* Parse a subcommand's flags: -1 to go on, else the exit status. */
static int
parse_sub(const struct flag_cmd *c, struct lab_opts *o, int argc, char **argv,
    struct flags_result *fr)
{
	memset(o, 0, sizeof(*o));
	return flags_run(c, o, argc, argv, fr);
}

static int
cmd_up(int argc, char **argv)
{
	const char *names[LAB_MAX_HOSTS];
	struct flags_result fr;
	struct lab_opts o;
	struct lab_state st;
	char err[512];
	int i, j, n = 0, rc;

	if ((rc = parse_sub(&lab_up_cmd, &o, argc, argv, &fr)) != -1)
		return rc;
	for (i = 0; i < fr.npos; i++) {
		if (!lab_valid_host_name(fr.pos[i]))
			return flags_usage_error(&lab_up_cmd, argv[0],
			    "bad host name '%s' (1-12 of a-z, 0-9; not 'sw')", fr.pos[i]);
		for (j = 0; j < n; j++)
			if (strcmp(names[j], fr.pos[i]) == 0)
				return flags_usage_error(&lab_up_cmd, argv[0], "host '%s' named twice",
				    fr.pos[i]);
		if (n == LAB_MAX_HOSTS)
			return flags_usage_error(&lab_up_cmd, argv[0], "too many hosts (at most 8)");
		names[n++] = fr.pos[i];
	}
	if (n == 0)
		return flags_usage_error(&lab_up_cmd, argv[0], "name the hosts: timewait lab up HOST...");
	if (lab_check_privileges() < 0)
		return 1;
	if (lab_keeper_start(names, n, &st, err, sizeof(err)) < 0)
		return flags_error(&lab_up_cmd, argv[0], "%s", err);
	printf("lab %s is up (keeper pid %d)\n\n", st.lab.id, (int)st.keeper);
	printf("  %-12s %-16s %-26s %s\n", "host", "IPv4", "IPv6", "netns");
	for (i = 0; i < st.lab.nhosts; i++) {
		const struct lab_host *h = &st.lab.hosts[i];

		printf("  %-12s %-16s %-26s %s\n", h->name, h->addr,
		    h->addr6[0] ? h->addr6 : "-", h->netns);
	}
	printf("\nInside a host, the names above resolve (IPv6 as NAME-v6).\n");
	if (!st.captures)
		printf("Packet capture is not built into this timewait: no pcaps.\n");
	else
		printf("Every host's eth0 is being captured.\n");
	printf("  timewait lab exec %s -- COMMAND...     (or: ip netns exec %s COMMAND...)\n",
	    st.lab.hosts[0].name, st.lab.hosts[0].netns);
	printf("  timewait lab down [--out DIR]         (run folder; default runs/%s)\n",
	    st.lab.id);
	return 0;
}

/* The project's own programs (timewait, timewait_server, timewait_client)
 * from the folder this binary runs from: build/timewait finds
 * build/timewait_server before any other in PATH. 0 or -1. */
static int
resolve_own(const char *cmd, char *out, size_t len)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (strcmp(cmd, "timewait") && strcmp(cmd, "timewait_server") &&
	    strcmp(cmd, "timewait_client"))
		return -1;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	*slash = '\0';
	if (fmt(out, len, "%s/%s", self, cmd) == -1 || access(out, X_OK) != 0)
		return -1;
	return 0;
}

/* The command as a path lab_spawn can exec: as given if it has a slash
 * (made absolute), the project's own programs next to this binary, else
 * the first match in PATH. */
static int
resolve(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;
	char cwd[PATH_MAX];

	if (strchr(cmd, '/') == NULL && resolve_own(cmd, out, len) == 0)
		return 0;

	if (strchr(cmd, '/') != NULL) {
		if (cmd[0] == '/')
			return fmt(out, len, "%s", cmd);
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return -1;
		return fmt(out, len, "%s/%s", cwd, cmd);
	}
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		if (end > p && fmt(out, len, "%.*s/%s", (int)(end - p), p, cmd) == 0 &&
		    access(out, X_OK) == 0) {
			struct stat sb;

			if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode)) {
				if (out[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL) {
					char rel[PATH_MAX];

					snprintf(rel, sizeof(rel), "%s", out);
					if (fmt(out, len, "%s/%s", cwd, rel) < 0)
						return -1;
				}
				return 0;
			}
		}
		if (*end == '\0')
			break;
	}
	return -1;
}

static int
find_lab(const struct flag_cmd *c, const char *argv0, const char *id, struct lab_state *st)
{
	char err[512];
	int rc;

	if (id == NULL)
		id = getenv("TIMEWAIT_LAB");
	rc = lab_state_find(id, st, err, sizeof(err));
	if (rc == -2 || rc == -3)
		return flags_usage_error(c, argv0, "%s", err);
	if (rc < 0)
		return flags_error(c, argv0, "%s", err);
	return 0;
}

static int
cmd_exec(int argc, char **argv)
{
	const char *hostname;
	struct lab_proc_opts o = { .stdin_fd = 0, .stdout_fd = 1, .stderr_fd = 2, .extra_fd = -1 };
	struct flags_result fr;
	struct lab_opts lo;
	struct sigaction ign, oldint, oldquit;
	struct lab_state st;
	struct lab_host *h;
	char path[PATH_MAX], err[512];
	char **cargv;
	int i, rc, status;
	pid_t pid;

	/* The flags end at "--": what follows is the command, flags and all. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	if ((rc = parse_sub(&lab_exec_cmd, &lo, i, argv, &fr)) != -1)
		return rc;
	if (fr.npos == 0)
		return flags_usage_error(&lab_exec_cmd, argv[0],
		    "which host? timewait lab exec HOST -- COMMAND...");
	if (fr.npos > 1)
		return flags_usage_error(&lab_exec_cmd, argv[0], "put the command after '--', not '%s'",
		    fr.pos[1]);
	hostname = fr.pos[0];
	if (i >= argc - 1)
		return flags_usage_error(&lab_exec_cmd, argv[0],
		    "no command: timewait lab exec HOST -- COMMAND...");
	if (lab_check_privileges() < 0)
		return 1;
	rc = find_lab(&lab_exec_cmd, argv[0], lo.lab, &st);
	if (rc != 0)
		return rc;
	h = lab_host(&st.lab, hostname);
	if (h == NULL)
		return flags_usage_error(&lab_exec_cmd, argv[0], "lab %s has no host '%s'", st.lab.id,
		    hostname);
	cargv = argv + i + 1;
	if (resolve(cargv[0], path, sizeof(path)) < 0) {
		fprintf(stderr, "timewait lab exec: %s: command not found\n", cargv[0]);
		return 127;
	}
	if (lab_state_open(&st, err, sizeof(err)) < 0) {
		fprintf(stderr, "timewait lab exec: %s\n", err);
		return 1;
	}
	o.unprivileged = lo.user == 1;
	/* The command keeps its own name as argv[0] when the path's base
	 * is the same (timewait_client must stay timewait_client). */
	{
		char *saved = cargv[0];

		cargv[0] = path;
		memset(&ign, 0, sizeof(ign));
		ign.sa_handler = SIG_IGN;
		sigaction(SIGINT, &ign, &oldint);
		sigaction(SIGQUIT, &ign, &oldquit);
		fflush(NULL);
		pid = lab_spawn(&st.lab, h, cargv, &o);
		rc = errno;
		cargv[0] = saved;
	}
	lab_state_close(&st);
	if (pid < 0) {
		sigaction(SIGINT, &oldint, NULL);
		sigaction(SIGQUIT, &oldquit, NULL);
		fprintf(stderr, "timewait lab exec: %s: %s\n", path, strerror(rc));
		return rc == ENOENT ? 127 : 126;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = 1 << 8;
			break;
		}
	}
	sigaction(SIGINT, &oldint, NULL);
	sigaction(SIGQUIT, &oldquit, NULL);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int
cmd_down(int argc, char **argv)
{
	const char *out;
	char abs[PATH_MAX], cwd[PATH_MAX], err[512];
	struct flags_result fr;
	struct lab_opts lo;
	struct lab_state st;
	int rc;

	if ((rc = parse_sub(&lab_down_cmd, &lo, argc, argv, &fr)) != -1)
		return rc;
	if (fr.npos > 0)
		return flags_usage_error(&lab_down_cmd, argv[0], "unexpected argument '%s'", fr.pos[0]);
	out = lo.out;
	if (lab_check_privileges() < 0)
		return 1;
	rc = find_lab(&lab_down_cmd, argv[0], lo.lab, &st);
	if (rc != 0)
		return rc;
	/* Relative to where down is typed; default runs/<lab id>. */
	if (out == NULL || out[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL ||
		    (out != NULL ? fmt(abs, sizeof(abs), "%s/%s", cwd, out) :
		    fmt(abs, sizeof(abs), "%s/runs/%s", cwd, st.lab.id)) < 0) {
			fprintf(stderr, "timewait lab down: cannot resolve the run folder\n");
			return 1;
		}
		out = abs;
	}
	if (lab_keeper_stop(&st, out, err, sizeof(err)) < 0) {
		fprintf(stderr, "timewait lab down: %s\n", err);
		return 1;
	}
	printf("lab %s is down; run folder: %s\n", st.lab.id, out);
	return 0;
}

static int
cmd_clean(int argc, char **argv)
{
	int all, verbose, labs, states, rc;
	struct flags_result fr;
	struct lab_opts lo;

	if ((rc = parse_sub(&lab_clean_cmd, &lo, argc, argv, &fr)) != -1)
		return rc;
	if (fr.npos > 0)
		return flags_usage_error(&lab_clean_cmd, argv[0], "unexpected argument '%s'", fr.pos[0]);
	all = lo.all;
	verbose = !lo.quiet;
	if (lab_check_privileges() < 0)
		return 1;
	states = lab_state_clean(all, verbose);
	labs = lab_clean(all, verbose);
	if (verbose)
		printf("%d lab%s removed, %d by-hand lab state%s cleared\n", labs,
		    labs == 1 ? "" : "s", states, states == 1 ? "" : "s");
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every lab on the machine from its namespaces' names: an array of
 * { id, owner_pid, owner_state, lab_up, leftover, hosts[] }. */
static json_t *
labs_on_machine(void)
{
	char *names[512], state[PATH_MAX];
	json_t *labs = json_array(), *cur = NULL;
	struct dirent *e;
	int i, n = 0;
	DIR *d;

	d = opendir("/run/netns");
	while (d != NULL && (e = readdir(d)) != NULL && n < 512)
		if (lab_name_owner(e->d_name, NULL) != 0 && (names[n] = strdup(e->d_name)) != NULL)
			n++;
	if (d != NULL)
		closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		char id[40];
		int pid, seq, st;

		if (sscanf(names[i], "tw-%d-%d", &pid, &seq) != 2)
			continue;
		snprintf(id, sizeof(id), "tw-%d-%d", pid, seq);
		if (cur == NULL || strcmp(json_string_value(json_object_get(cur, "id")), id) != 0) {
			st = lab_netns_state(names[i], NULL, NULL);
			cur = json_pack("{s:s, s:i, s:s, s:b, s:b, s:[]}", "id", id, "owner_pid", pid,
			    "owner_state", lab_ns_state_name(st), "lab_up",
			    fmt(state, sizeof(state), "%s/%s.json", LAB_STATE_DIR, id) == 0 &&
			    access(state, F_OK) == 0, "leftover", st != LAB_NS_LIVE, "hosts");
			json_array_append_new(labs, cur);
		}
		json_array_append_new(json_object_get(cur, "hosts"),
		    json_string(names[i] + strlen(id) + 1));
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	return labs;
}

/* status: every lab on the machine, whose it is, and whether it is a leftover. */
static int
cmd_status(int argc, char **argv)
{
	struct flags_result fr;
	struct lab_opts lo;
	json_t *labs, *l, *h;
	size_t i, k;
	int leftovers = 0, rc;

	if ((rc = parse_sub(&lab_status_cmd, &lo, argc, argv, &fr)) != -1)
		return rc;
	if (fr.npos > 0)
		return flags_usage_error(&lab_status_cmd, argv[0], "unexpected argument '%s'",
		    fr.pos[0]);
	labs = labs_on_machine();
	json_array_foreach(labs, i, l)
		leftovers += json_is_true(json_object_get(l, "leftover"));
	if (lo.json) {
		json_t *root = json_pack("{s:O, s:i, s:i}", "labs", labs, "count",
		    (int)json_array_size(labs), "leftovers", leftovers);

		json_dumpf(root, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(root);
		json_decref(labs);
		return 0;
	}
	json_array_foreach(labs, i, l) {
		if (i == 0)
			printf("%-16s %-8s %-18s %s\n", "lab", "owner", "owner state", "hosts");
		printf("%-16s %-8d %-18s", json_string_value(json_object_get(l, "id")),
		    (int)json_integer_value(json_object_get(l, "owner_pid")),
		    json_string_value(json_object_get(l, "owner_state")));
		if (json_is_true(json_object_get(l, "lab_up")))
			printf(" (lab up)");
		json_array_foreach(json_object_get(l, "hosts"), k, h)
			printf(" %s", json_string_value(h));
		printf("\n");
	}
	printf("%d lab%s, %d leftover%s%s\n", (int)json_array_size(labs),
	    json_array_size(labs) == 1 ? "" : "s", leftovers, leftovers == 1 ? "" : "s",
	    leftovers ? " ('timewait lab clean' removes them)" : "");
	json_decref(labs);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* bench-build [N] [--gap MS]: a 2-host lab built and destroyed N times,
 * in-process; --gap waits between runs (untimed), so that the kernel's
 * asynchronous cleanup of one lab does not land in the next one's time. */
static int
cmd_bench_build(int argc, char **argv)
{
	const char *names[] = { "client", "server" };
	char dir[PATH_MAX], err[512];
	double *total, *build;
	struct lab lab;
	struct flags_result fr;
	struct lab_opts lo;
	long n = 50, gap;
	int i;

	if ((i = parse_sub(&lab_build_cmd, &lo, argc, argv, &fr)) != -1)
		return i;
	gap = lo.gap;
	if (fr.npos > 1 || (fr.npos == 1 && parse_long(fr.pos[0], 1, 100000, &n) == -1))
		return flags_usage_error(&lab_build_cmd, argv[0], "N is a count from 1 to 100000, "
		    "given once, not '%s'", fr.pos[fr.npos - 1]);
	if (lab_check_privileges() < 0)
		return 1;
	if (lab_tmpdir(dir, sizeof(dir), "labbuild") == -1) {
		perror("timewait lab bench-build: a folder in /tmp");
		return 1;
	}
	total = calloc((size_t)n, sizeof(*total));
	build = calloc((size_t)n, sizeof(*build));
	if (total == NULL || build == NULL) {
		free(total);
		free(build);
		lab_tmpdir_remove(dir);
		return 1;
	}
	for (i = 0; i < n; i++) {
		uint64_t t0, t1;

		if (gap > 0 && i > 0)
			sleep_ns((uint64_t)gap * NSEC_PER_MSEC);
		t0 = now_mono_ns();

		if (lab_build(&lab, names, 2, dir, err, sizeof(err)) < 0) {
			fprintf(stderr, "timewait lab bench-build: %s\n", err);
			break;
		}
		t1 = now_mono_ns();
		lab_destroy(&lab);
		build[i] = (double)(t1 - t0) / 1e6;
		total[i] = (double)(now_mono_ns() - t0) / 1e6;
	}
	lab_tmpdir_remove(dir);
	if (i == n) {
		qsort(total, (size_t)n, sizeof(*total), cmp_double);
		qsort(build, (size_t)n, sizeof(*build), cmp_double);
		printf("in-process netlink: 2-host lab build+destroy: median %.2f ms, "
		    "p90 %.2f ms (build alone: median %.2f ms; %ld runs, %s)\n",
		    total[n / 2], total[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1],
		    build[n / 2], n, gap > 0 ? "spaced" : "back to back");
	}
	free(total);
	free(build);
	return i == n ? 0 : 1;
}

int
lab_main(int argc, char **argv)
{
	const char *c;

	if (argc < 2) {
		fprintf(stderr, "timewait lab: which command? (try 'timewait lab --help')\n");
		return EXIT_USAGE;
	}
	c = argv[1];
	if (is_help(c)) {
		usage(stdout);
		return 0;
	}
	if (strcmp(c, "-V") == 0 || strcmp(c, "--version") == 0) {
		printf("timewait %s\n", TIMEWAIT_VERSION);
		return 0;
	}
	if (strcmp(c, "run") == 0)
		return lab_run_main(argc - 1, argv + 1);
	if (strcmp(c, "list") == 0)
		return scen_list_main(argc - 1, argv + 1);
	if (strcmp(c, "check") == 0)
		return scen_check_main(argc - 1, argv + 1);
	if (strcmp(c, "up") == 0)
		return cmd_up(argc - 1, argv + 1);
	if (strcmp(c, "exec") == 0)
		return cmd_exec(argc - 1, argv + 1);
	if (strcmp(c, "down") == 0)
		return cmd_down(argc - 1, argv + 1);
	if (strcmp(c, "clean") == 0)
		return cmd_clean(argc - 1, argv + 1);
	if (strcmp(c, "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(c, "bench-build") == 0)
		return cmd_bench_build(argc - 1, argv + 1);
	fprintf(stderr, "timewait lab: unknown command '%s' (try 'timewait lab --help')\n", c);
	return EXIT_USAGE;
}
