/*
 * lab.h - isolated hosts on one machine: one network namespace per host,
 * joined by veth pairs to a bridge that lives in a namespace of its own
 * (never in the host's). Every name the lab makes starts with its id,
 * "tw-<owner pid>-<seq>", so that leftovers of a killed runner can be found
 * and removed: by its janitor (janitor.h), or by whoever comes next
 * (lab_clean).
 *
 * Implemented in hosts.c (the topology: namespaces, bridge, veths,
 * addresses, sysctls, built with the host layer of src/host/), spawn.c
 * (processes inside a host) and clean.c (leftovers).
 */
#ifndef TIMEWAIT_LAB_H
#define TIMEWAIT_LAB_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define LAB_MAX_HOSTS 8
#define LAB_NAME_MAX 16

struct lab_host {
	char name[LAB_NAME_MAX];	/* "client", "server", "server2", "backend" */
	char netns[64];			/* its name in /run/netns (ip netns list) */
	int nsfd;			/* open fd of its network namespace */
	char ifname[16];		/* its one interface: "eth0" */
	char addr[46];			/* IPv4 address, no prefix: "10.77.3.2" */
	char addr6[46];			/* IPv6 address (unique local), no prefix */
};

struct lab {
	char id[40];			/* "tw-<pid>-<seq>": prefix of every name */
	pid_t owner;
	int nhosts;
	struct lab_host hosts[LAB_MAX_HOSTS];
	char switch_netns[64];		/* the bridge's namespace */
	int switch_nsfd;
	char hosts_file[PATH_MAX];	/* the lab's /etc/hosts (host names -> addresses) */
};

/*
 * Build a lab with hosts names[0..n-1]. dir is a folder the lab may write
 * its hosts file into (the run folder). Each host's sysctls are set to a
 * fresh Linux's defaults (see lab_defaults). Returns 0, or -1 with a
 * message in err and nothing left behind.
 * Host names: 1-12 of [a-z0-9], not "sw". The hosts file is <dir>/hosts:
 * "<addr> <name>" per host, IPv6 addresses as "<name>-v6" (so a name alone
 * means IPv4, as in the seed). The calling thread's namespace is unchanged.
 */
int lab_build(struct lab *lab, const char *const *names, int n,
    const char *dir, char *err, size_t errlen);
/* A host name a lab takes: 1 to 12 of a-z and 0-9, not "sw" (the switch). */
int lab_valid_host_name(const char *s);

/* Kill every process still in the lab's namespaces, delete them all. */
void lab_destroy(struct lab *lab);
struct lab_host *lab_host(struct lab *lab, const char *name);

/* Per-host sysctls; key as a path under /proc/sys: "net/ipv4/tcp_tw_reuse".
 * Only h->nsfd is used (host_sysctl_set/get of host/sysctl.h). */
int lab_sysctl_set(const struct lab_host *h, const char *key, const char *value);
int lab_sysctl_get(const struct lab_host *h, const char *key, char *buf, size_t len);

/* The sysctls set on every host, as key/value pairs ending with NULL. */
extern const char *const lab_defaults[][2];

struct lab_proc_opts {
	int stdin_fd;		/* -1: /dev/null */
	int stdout_fd;		/* -1: /dev/null */
	int stderr_fd;		/* -1: same as stdout */
	int extra_fd;		/* becomes fd 3 in the child; -1: none */
	int unprivileged;	/* drop to user nobody before exec; LAB_NOBODY_NET_CAPS:
				 * and keep CAP_NET_ADMIN, CAP_NET_RAW (ambient) */
	/* A command of a scenario (lab/interp.c): */
	int own_group;		/* in a process group of its own (stopped as one) */
	char *const *envp;	/* its whole environment; NULL: the caller's */
	/* dir_src bound read-only (nosuid, nodev) at dir_view, a folder
	 * directly under a /tmp that is a tmpfs of the program's own, and
	 * made its working folder; NULL: none of this. */
	const char *dir_src;
	const char *dir_view;
};
#define LAB_NOBODY_NET_CAPS 2

/*
 * Start argv in host h: its network namespace, a private mount namespace
 * where /etc/hosts is the lab's, PR_SET_PDEATHSIG so it dies with the
 * runner thread that spawned it. argv[0] must be an absolute path (else
 * EINVAL). Returns the pid, or -1 with errno (ENOENT: no such program;
 * a failure in the child before exec is reported the same way).
 */
pid_t lab_spawn(const struct lab *lab, const struct lab_host *h,
    char *const argv[], const struct lab_proc_opts *o);

/* Remove what dead runners left: namespaces, their processes, tracing
 * instances. all != 0 removes live labs too. Returns how many labs. */
int lab_clean(int all, int verbose);

/* A temporary folder of this process, /run/timewait/tmp/<pid>-<what>.XXXXXX
 * (a root-only folder, see fsafe.h), made fresh: lab_clean removes it once
 * this process is dead, so even a run killed with SIGKILL leaves none
 * behind for long. 0 or -1 with errno. */
int lab_tmpdir(char *buf, size_t len, const char *what);
/* Remove such a folder and everything in it, by descriptors (never a
 * path outside /run/timewait/tmp). */
void lab_tmpdir_remove(const char *dir);

/* 0 if we may build labs; else prints one line saying why not, returns -1. */
int lab_check_privileges(void);

#endif
