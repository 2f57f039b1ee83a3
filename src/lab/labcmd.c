/*
 * labcmd.c - `timewait lab`: the command line of the lab.
 *
 *   run, list     the test catalogue (run.c)
 *   up HOST...    build hosts by hand, capture on each, keep them (labkeep.c)
 *   exec HOST -- COMMAND...   run a command inside a host, interactively
 *   down          write the run folder and remove the lab
 *   status        the labs on this machine, and which are leftovers
 *   clean         remove what killed runs left behind
 *   bench-build   (hidden) time a 2-host lab built and destroyed
 *
 * Only parsing and wording here; the work is in hosts.c, spawn.c,
 * clean.c and labkeep.c. Exit status: 0, 1 failure, 2 bad input.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "lab/lab.h"
#include "lab/labint.h"
#include "lab/labkeep.h"
#include "lab/run.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: timewait lab COMMAND [ARGS...]\n\n"
	    "Isolated hosts on this machine (network namespaces on a bridge), for\n"
	    "running the tests or trying things by hand. Needs root.\n\n"
	    "  run TEST... [OPTIONS]         run tests from the catalogue (see 'lab run --help')\n"
	    "  list                          list the tests\n"
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
bad(const char *msg, const char *arg)
{
	fprintf(stderr, "timewait lab: %s%s%s (try 'timewait lab --help')\n", msg,
	    arg ? ": " : "", arg ? arg : "");
	return EXIT_USAGE;
}

static int
is_help(const char *s)
{
	return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0 || strcmp(s, "help") == 0;
}

static int
cmd_up(int argc, char **argv)
{
	const char *names[LAB_MAX_HOSTS];
	struct lab_state st;
	char err[512];
	int i, j, n = 0;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
		if (!lab_valid_host_name(argv[i]))
			return bad("bad host name (1-12 of a-z, 0-9; not 'sw')", argv[i]);
		for (j = 0; j < n; j++)
			if (strcmp(names[j], argv[i]) == 0)
				return bad("host named twice", argv[i]);
		if (n == LAB_MAX_HOSTS)
			return bad("too many hosts (at most 8)", NULL);
		names[n++] = argv[i];
	}
	if (n == 0)
		return bad("name the hosts: timewait lab up HOST...", NULL);
	if (lab_check_privileges() < 0)
		return 1;
	if (lab_keeper_start(names, n, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "timewait lab up: %s\n", err);
		return 1;
	}
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

/* The command as a path lab_spawn can exec: as given if it has a slash
 * (made absolute), else the first match in PATH. */
static int
resolve(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;
	char cwd[PATH_MAX];

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
find_lab(const char *id, struct lab_state *st)
{
	char err[512];
	int rc;

	if (id == NULL)
		id = getenv("TIMEWAIT_LAB");
	rc = lab_state_find(id, st, err, sizeof(err));
	if (rc == -2 || rc == -3)
		return bad(err, NULL);
	if (rc < 0) {
		fprintf(stderr, "timewait lab: %s\n", err);
		return 1;
	}
	return 0;
}

static int
cmd_exec(int argc, char **argv)
{
	const char *id = NULL, *user = "root", *hostname = NULL;
	struct lab_proc_opts o = { 0, 1, 2, -1, 0 };
	struct sigaction ign, oldint, oldquit;
	struct lab_state st;
	struct lab_host *h;
	char path[PATH_MAX], err[512];
	char **cargv;
	int i, rc, status;
	pid_t pid;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--lab") == 0 && i + 1 < argc) {
			id = argv[++i];
		} else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) {
			user = argv[++i];
		} else if (argv[i][0] == '-') {
			return bad("unknown option", argv[i]);
		} else if (hostname == NULL) {
			hostname = argv[i];
		} else {
			return bad("put the command after '--'", argv[i]);
		}
	}
	if (hostname == NULL)
		return bad("which host? timewait lab exec HOST -- COMMAND...", NULL);
	if (i >= argc - 1)
		return bad("no command: timewait lab exec HOST -- COMMAND...", NULL);
	if (strcmp(user, "root") != 0 && strcmp(user, "nobody") != 0)
		return bad("--user is root or nobody", user);
	if (lab_check_privileges() < 0)
		return 1;
	rc = find_lab(id, &st);
	if (rc != 0)
		return rc;
	h = lab_host(&st.lab, hostname);
	if (h == NULL) {
		fprintf(stderr, "timewait lab: lab %s has no host '%s'\n", st.lab.id, hostname);
		return EXIT_USAGE;
	}
	cargv = argv + i + 1;
	if (resolve(cargv[0], path, sizeof(path)) < 0) {
		fprintf(stderr, "timewait lab exec: %s: command not found\n", cargv[0]);
		return 127;
	}
	if (lab_state_open(&st, err, sizeof(err)) < 0) {
		fprintf(stderr, "timewait lab exec: %s\n", err);
		return 1;
	}
	o.unprivileged = strcmp(user, "nobody") == 0;
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
	const char *id = NULL, *out = NULL;
	char abs[PATH_MAX], cwd[PATH_MAX], err[512];
	struct lab_state st;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--lab") == 0 && i + 1 < argc) {
			id = argv[++i];
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else {
			return bad("unknown argument", argv[i]);
		}
	}
	if (out != NULL && out[0] == '\0')
		return bad("--out needs a folder", NULL);
	if (lab_check_privileges() < 0)
		return 1;
	rc = find_lab(id, &st);
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
	int i, all = 0, verbose = 1, labs, states;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--all") == 0) {
			all = 1;
		} else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
			verbose = 0;
		} else {
			return bad("unknown argument", argv[i]);
		}
	}
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

/* status: every lab on the machine, whose it is, and whether it is a leftover. */
static int
cmd_status(int argc, char **argv)
{
	char *names[512], prev[40] = "", state[PATH_MAX];
	struct dirent *e;
	int i, n = 0, labs = 0, leftovers = 0;
	DIR *d;

	if (argc > 1) {
		if (is_help(argv[1])) {
			usage(stdout);
			return 0;
		}
		return bad("unknown argument", argv[1]);
	}
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
		if (strcmp(id, prev) != 0) {
			st = lab_netns_state(names[i], NULL, NULL);
			if (labs++ == 0)
				printf("%-16s %-8s %-18s %s\n", "lab", "owner", "owner state", "hosts");
			else
				printf("\n");
			if (st != LAB_NS_LIVE)
				leftovers++;
			printf("%-16s %-8d %-18s", id, pid, lab_ns_state_name(st));
			if (fmt(state, sizeof(state), "%s/%s.json", LAB_STATE_DIR, id) == 0 &&
			    access(state, F_OK) == 0)
				printf(" (lab up)");
			snprintf(prev, sizeof(prev), "%s", id);
		}
		printf(" %s", names[i] + strlen(id) + 1);
	}
	if (labs > 0)
		printf("\n");
	printf("%d lab%s, %d leftover%s%s\n", labs, labs == 1 ? "" : "s", leftovers,
	    leftovers == 1 ? "" : "s", leftovers ? " ('timewait lab clean' removes them)" : "");
	for (i = 0; i < n; i++)
		free(names[i]);
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
	long n = 50, gap = 0;
	int i, have_n = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--gap") == 0 && i + 1 < argc &&
		    parse_long(argv[i + 1], 0, 10000, &gap) == 0)
			i++;
		else if (!have_n && parse_long(argv[i], 1, 100000, &n) == 0)
			have_n = 1;
		else
			return bad("usage: timewait lab bench-build [N] [--gap MS]", NULL);
	}
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
		usage(stderr);
		return EXIT_USAGE;
	}
	c = argv[1];
	if (is_help(c)) {
		usage(stdout);
		return 0;
	}
	if (strcmp(c, "run") == 0)
		return lab_run_main(argc - 1, argv + 1);
	if (strcmp(c, "list") == 0)
		return lab_list_main(argc - 1, argv + 1);
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
	return bad("unknown command", c);
}
