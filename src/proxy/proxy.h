/*
 * proxy.h - real reverse proxies (nginx, HAProxy, Apache httpd) in a lab
 * host: a configuration rendered from a template kept in the repository
 * (the folder proxies/), the proxy started inside a network namespace as
 * an unprivileged user with every file it writes in one run folder, waited
 * for until it listens, stopped by pid, and its log read for the upstream
 * connect errors that show a proxy running out of ports.
 *
 * Implemented in template.c (rendering), launch.c (run folder, start,
 * readiness, stop) and upstream.c (the log parser). Nothing here knows the
 * lab's structures: a host is named by its /run/netns name, so the lab
 * interpreter, the bench and the tests can all use it.
 */
#ifndef TIMEWAIT_PROXY_H
#define TIMEWAIT_PROXY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- template.c ---- */

/* One placeholder: "{proxy}" in a template becomes value. */
struct proxy_var {
	const char *name;	/* [a-z][a-z0-9_]*, at most 31 characters */
	const char *value;	/* letters, digits and . : / _ - only */
};

/*
 * Render text (a template named file, for messages) into out: every
 * {name} replaced by its value, "{{" written as "{", any other brace kept
 * as it is. A {name} that vars does not hold is an error "FILE:LINE:
 * unknown placeholder {name}"; so is a value with a character a config
 * file could read as syntax (space, quote, semicolon, newline...).
 * Returns the rendered length, or -1 with the message in err (also when
 * out is too small).
 */
long proxy_render_text(const char *text, const char *file,
    const struct proxy_var *vars, size_t nvars,
    char *out, size_t outlen, char *err, size_t errlen);

/* Render the template at path into dirfd/name (created, O_EXCL, 0644).
 * 0, or -1 with a message in err. */
int proxy_render_file(const char *path, int dirfd, const char *name,
    const struct proxy_var *vars, size_t nvars, char *err, size_t errlen);

/* ---- launch.c ---- */

enum proxy_kind { PROXY_HAPROXY, PROXY_NGINX, PROXY_APACHE };

/* The kind a template's file name names: "haproxy-...", "nginx-...",
 * "apache-...". -1 if none. */
int proxy_kind_of(const char *template_path);
const char *proxy_kind_name(enum proxy_kind kind);
/* The proxy's program ("/usr/sbin/nginx"), or NULL when not installed. */
const char *proxy_program(enum proxy_kind kind);
/* The file its log of upstream errors is in, inside the run folder. */
const char *proxy_log_name(enum proxy_kind kind);

/*
 * Where a proxy sees its run folder: the folder is bound there in a mount
 * namespace of the proxy's own, so user nobody needs no right on the
 * folders above it. A template's {dir} is this path; the files are in the
 * run folder (struct proxy's dir).
 */
#define PROXY_VIEW "/tmp"

struct proxy {
	enum proxy_kind kind;
	pid_t pid;		/* the process we started; its group is pid too */
	int dirfd;		/* the run folder */
	char dir[512];		/* its absolute path (the proxy sees it as PROXY_VIEW) */
	char addr[46];		/* address it listens on ({proxy}) */
	uint16_t port;
};

/*
 * Make the run folder dir (absolute; its parent must exist; nobody needs
 * no right on the folders above it), owned by nobody, then render template
 * into it as the kind's configuration file with vars plus {dir}
 * (PROXY_VIEW, where the proxy sees the folder). The caller gives {proxy},
 * {backend}... p is ready for proxy_start. 0, or -1 with err; once the
 * folder is made (p->dirfd >= 0), proxy_remove_dir removes it again.
 */
int proxy_prepare(struct proxy *p, const char *template_path, const char *dir,
    const struct proxy_var *vars, size_t nvars, char *err, size_t errlen);

/*
 * Start the proxy in the network namespace /run/netns/<netns>, as user
 * nobody keeping only CAP_NET_BIND_SERVICE, in a process group of its own,
 * dying with this thread (PR_SET_PDEATHSIG), its stdout and stderr in
 * <dir>/stdout.log and <dir>/stderr.log; then wait until a socket of the
 * namespace listens on addr:port (or any address), read with sock_diag:
 * no connection is made, so nothing of the wait shows in a capture or a
 * kernel trace. At most timeout_ms.
 * 0, or -1 with err (the proxy stopped again).
 */
int proxy_start(struct proxy *p, const char *netns, const char *addr,
    uint16_t port, unsigned timeout_ms, char *err, size_t errlen);

/*
 * Stop it: SIGTERM to its process group, up to wait_ms for the leader to
 * exit, then SIGKILL to the group (stragglers such as nginx's worker or
 * httpd's children), and reap the leader. Never by name. Returns the
 * leader's wait status, or -1 if there was nothing to stop.
 */
int proxy_stop(struct proxy *p, unsigned wait_ms);

/* Remove the run folder and everything in it (through descriptors, no
 * symbolic link followed) and close p->dirfd. For tests: a real run keeps
 * its logs. */
void proxy_remove_dir(struct proxy *p);

/* ---- upstream.c ---- */

#define PROXY_ERRNO_KINDS 8

/* Upstream connect errors found in a log, by errno name. */
struct proxy_upstream_errors {
	struct {
		char name[16];	/* "EADDRNOTAVAIL" */
		long count;
	} by_errno[PROXY_ERRNO_KINDS];
	int n;
	long total;
	long unavailable;	/* nginx: "no live upstreams" (every server marked
				 * down after a failure: the request never tried) */
	long lines;		/* lines read */
};

/*
 * If line is one of kind's "could not connect to the backend" lines,
 * return its errno (99 for "(99: Cannot assign requested address)"), else
 * 0. HAProxy names no number: "no free ports" is EADDRNOTAVAIL (it says
 * so for EAGAIN too), "local address already in use" EADDRINUSE, and a
 * "Connection refused" layer-4 check or log line ECONNREFUSED.
 */
int proxy_upstream_errno(enum proxy_kind kind, const char *line);

/* Count them in the whole text of a log. */
void proxy_upstream_count(enum proxy_kind kind, const char *text,
    struct proxy_upstream_errors *e);
/* The count for one errno name ("EADDRNOTAVAIL"), 0 if none. */
long proxy_upstream_get(const struct proxy_upstream_errors *e, const char *name);

/* Read dirfd/name (at most 64 MiB) and count. 0, or -1 with errno. */
int proxy_upstream_read(enum proxy_kind kind, int dirfd, const char *name,
    struct proxy_upstream_errors *e);

/* ---- logline.c ---- */

enum proxy_line_kind { PL_NONE, PL_REQUEST, PL_ERROR };

/*
 * What one line of a proxy's own log says about connections: the access
 * line our templates ask for ("tw t=... client=... upstream=...") or an
 * error line naming a request (nginx "*3 connect() ... failed (99: ...)",
 * Apache "[client ip:port] (99)..."). Times are wall clock ns since the
 * epoch; each with the step of the clock it was written with: the true
 * time lies in [t, t + step).
 */
struct proxy_logline {
	int what;			/* enum proxy_line_kind */
	int64_t t_ns, t_prec_ns;	/* when it was written */
	int64_t start_ns, start_prec_ns;	/* when its request began, 0: not known */
	int64_t dur_ns, dur_prec_ns;	/* how long it took, -1: not logged */
	int64_t tc_ns;			/* its connect to the backend took, -1: none made */
	char client[64];	/* the client's connection: client -> front */
	char front[64];
	char src[64];		/* the backend's: src -> upstream ("": not logged) */
	char upstream[64];
	char cid[40];		/* who wrote it: nginx's connection number "*3",
				 * Apache's "pid N:tid M" */
	int status, ustatus;	/* HTTP status to the client, from the backend; 0 */
	char term[8];		/* HAProxy's termination state ("SC--") */
	char req[80];		/* the request line, cut */
	int err;		/* an error line's errno (99), 0 */
	char msg[120];		/* an error line's message, cut */
};

/* Read line (no newline) of a kind's log: 1 and l filled when it is one
 * of the lines above, else 0. Any text is safe to give. */
int proxy_log_parse(enum proxy_kind kind, const char *line,
    struct proxy_logline *l);
/* Where a kind writes those lines in its run folder: the access lines
 * ("access.log"; HAProxy: "stdout.log") and the error lines (NULL: none
 * that name a connection). */
const char *proxy_access_log_name(enum proxy_kind kind);
const char *proxy_error_log_name(enum proxy_kind kind);
/* The configuration file a kind's run folder holds ("nginx.conf"). */
const char *proxy_conf_name(enum proxy_kind kind);

#endif
