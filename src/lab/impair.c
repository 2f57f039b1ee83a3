/*
 * impair.c - the lab's impaired wire: a scenario's `drop` lines made with
 * nftables inside the sending host's namespace (never the machine's own
 * ruleset), their counters read back at the end of the run, and the
 * /proc/net/netstat counters the checks name read from each host's own
 * namespace.
 *
 * This kernel has no netem: an exact drop is a chain of nftables rules.
 * Each `drop` gets a chain of its own, jumped to by the segments it is
 * about (to the peer, with exactly its flags, and, for `after FIN`, only
 * once the sender has received the peer's FIN: an input rule puts a mark
 * in a set). In the chain, stage j lets one segment through by adding an
 * element to a set of its own; a segment that finds every stage's set
 * full reaches the last rules. So the first nth-1 segments pass, the next
 * count are dropped (and counted), the rest pass: exact and repeatable.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/netns.h"
#include "lab/droplog.h"
#include "lab/impair.h"
#include "util.h"

#define NFT_TABLE "timewait"

/* nft's absolute path (lab_spawn takes no name to look up). */
static const char *
nft_path(void)
{
	static const char *const where[] = { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", NULL };

	for (int i = 0; where[i] != NULL; i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

/*
 * Run nft in host h with args, script (may be NULL) on its standard input;
 * its output (up to len-1 bytes) into out. 0, or -1 with err.
 */
static int
run_nft(const struct lab *lab, const struct lab_host *h, char *const args[],
    const char *script, char *out, size_t len, char *err, size_t errlen)
{
	const char *nft = nft_path();
	char *argv[8];
	int in[2] = { -1, -1 }, o[2] = { -1, -1 }, st, argc = 0;
	struct lab_proc_opts po;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (nft == NULL) {
		snprintf(err, errlen, "nft not found (apt-get install nftables): "
		    "the drops need it");
		return -1;
	}
	argv[argc++] = (char *)nft;
	for (int i = 0; args[i] != NULL && argc < 7; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(o, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	memset(&po, 0, sizeof(po));
	po.stdin_fd = in[0];
	po.stdout_fd = o[1];
	po.stderr_fd = -1;	/* with stdout: nft's message is the error */
	po.extra_fd = -1;
	pid = lab_spawn(lab, h, argv, &po);
	close(in[0]);
	close(o[1]);
	in[0] = o[1] = -1;
	if (pid == -1) {
		snprintf(err, errlen, "cannot start nft in host %s: %s", h->name, strerror(errno));
		goto fail;
	}
	if (script != NULL)
		(void)write_all(in[1], script, strlen(script));
	close(in[1]);
	in[1] = -1;
	while (got + 1 < len && (n = read(o[0], out + got, len - got - 1)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		got += (size_t)n;
	}
	out[got] = '\0';
	close(o[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(err, errlen, "nft in host %s failed: %s", h->name,
		    out[0] ? out : "no message");
		return -1;
	}
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] != -1)
			close(in[i]);
		if (o[i] != -1)
			close(o[i]);
	}
	return -1;
}

/* Append to a growing script; -1 when it is full. */
static int
put(char *buf, size_t len, size_t *at, const char *f, ...)
    __attribute__((format(printf, 4, 5)));

static int
put(char *buf, size_t len, size_t *at, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf + *at, len - *at, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *at)
		return -1;
	*at += (size_t)n;
	return 0;
}

/* What a drop's segments match, for one address family. */
static int
put_match(char *buf, size_t len, size_t *at, const struct drop_spec *d, int k,
    const char *fam, const char *peer)
{
	int rc = put(buf, len, at, "\t\t%s daddr %s ", fam, peer);

	if (rc == 0 && d->flags)
		rc = put(buf, len, at, "tcp flags == 0x%02x ", d->flags);
	else if (rc == 0)
		rc = put(buf, len, at, "meta l4proto tcp ");
	if (rc == 0 && d->after_fin)
		rc = put(buf, len, at, "meta l4proto @fin%d ", k);
	return rc == 0 ? put(buf, len, at, "jump drop%d\n", k) : -1;
}

/* The nft script of host h's drops. 0: it has none; 1: written; -1: too long. */
static int
host_script(const struct test_spec *t, const struct lab *lab, const char *host,
    char *buf, size_t len)
{
	size_t at = 0;
	int k, j, any = 0, rc = 0;

	rc |= put(buf, len, &at, "table inet " NFT_TABLE " {\n");
	for (k = 0; k < CAT_MAX_DROPS && t->drops[k].from != NULL; k++) {
		const struct drop_spec *d = &t->drops[k];

		if (strcmp(d->from, host) != 0)
			continue;
		any = 1;
		rc |= put(buf, len, &at, "\tcounter dropped%d { }\n", k);
		if (d->after_fin)
			rc |= put(buf, len, &at, "\tset fin%d { type inet_proto; flags dynamic; }\n", k);
		for (j = 1; j < d->nth + d->count; j++)
			rc |= put(buf, len, &at,
			    "\tset seen%d_%d { type inet_proto; flags dynamic; }\n", k, j);
		/* stage j: the j-th segment passes (j < nth) or is dropped */
		rc |= put(buf, len, &at, "\tchain drop%d {\n", k);
		for (j = 1; j < d->nth + d->count; j++) {
			rc |= put(buf, len, &at, "\t\tmeta l4proto != @seen%d_%d "
			    "add @seen%d_%d { meta l4proto } ", k, j, k, j);
			if (j < d->nth)
				rc |= put(buf, len, &at, "return\n");
			else
				/* counted, and logged for the drawings (lab/droplog.c) */
				rc |= put(buf, len, &at, "counter name dropped%d log prefix \""
				    DROPLOG_PREFIX "%d\" group %d snaplen 128 queue-threshold 1 drop\n",
				    k, k, DROPLOG_GROUP);
		}
		rc |= put(buf, len, &at, "\t}\n");
	}
	if (!any)
		return 0;
	rc |= put(buf, len, &at, "\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n");
	for (k = 0; k < CAT_MAX_DROPS && t->drops[k].from != NULL; k++) {
		const struct drop_spec *d = &t->drops[k];
		const struct lab_host *peer = lab_host((struct lab *)lab, d->to);

		if (strcmp(d->from, host) != 0 || !d->after_fin || peer == NULL)
			continue;
		rc |= put(buf, len, &at, "\t\tip saddr %s tcp flags & fin == fin "
		    "add @fin%d { meta l4proto }\n", peer->addr, k);
		rc |= put(buf, len, &at, "\t\tip6 saddr %s tcp flags & fin == fin "
		    "add @fin%d { meta l4proto }\n", peer->addr6, k);
	}
	rc |= put(buf, len, &at, "\t}\n\tchain output {\n\t\ttype filter hook output priority 0; policy accept;\n");
	for (k = 0; k < CAT_MAX_DROPS && t->drops[k].from != NULL; k++) {
		const struct drop_spec *d = &t->drops[k];
		const struct lab_host *peer = lab_host((struct lab *)lab, d->to);

		if (strcmp(d->from, host) != 0 || peer == NULL)
			continue;
		rc |= put_match(buf, len, &at, d, k, "ip", peer->addr);
		rc |= put_match(buf, len, &at, d, k, "ip6", peer->addr6);
	}
	rc |= put(buf, len, &at, "\t}\n}\n");
	return rc ? -1 : 1;
}

int
impair_apply(const struct test_spec *t, const struct lab *lab, const char *dir,
    char *err, size_t errlen)
{
	char script[16384], out[1024], path[4096];
	char *args[] = { "-f", "-", NULL };
	int i, rc;

	for (i = 0; i < CAT_MAX_HOSTS && t->hosts[i] != NULL; i++) {
		const struct lab_host *h = lab_host((struct lab *)lab, t->hosts[i]);
		FILE *f;

		if (h == NULL)
			continue;
		rc = host_script(t, lab, t->hosts[i], script, sizeof(script));
		if (rc == 0)
			continue;
		if (rc < 0) {
			snprintf(err, errlen, "the drops of host %s make too long a script", h->name);
			return -1;
		}
		/* The rules as made, beside the captures, for a person to read. */
		if (fmt(path, sizeof(path), "%s/%s.nft.txt", dir, h->name) == 0 &&
		    (f = fopen(path, "wxe")) != NULL) {
			fputs(script, f);
			fclose(f);
		}
		if (run_nft(lab, h, args, script, out, sizeof(out), err, errlen) == -1)
			return -1;
	}
	return 0;
}

/* "packets N bytes M" in nft's listing of one counter. */
static long long
counter_packets(const char *listing)
{
	const char *p = strstr(listing, "packets ");

	return p ? strtoll(p + strlen("packets "), NULL, 10) : -1;
}

struct netstat_job {
	struct netstat_rec *x;
};

/* In the host's namespace: its own /proc/net/netstat (of this thread). */
static int
netstat_read(void *arg)
{
	struct netstat_rec *x = ((struct netstat_job *)arg)->x;
	char head[8192], vals[8192];
	FILE *f = fopen("/proc/thread-self/net/netstat", "re");

	if (f == NULL)
		return -1;
	while (fgets(head, sizeof(head), f) != NULL && fgets(vals, sizeof(vals), f) != NULL) {
		char *hs, *vs, *h, *v;

		h = strtok_r(head, " \n", &hs);
		v = strtok_r(vals, " \n", &vs);
		while ((h = strtok_r(NULL, " \n", &hs)) != NULL &&
		    (v = strtok_r(NULL, " \n", &vs)) != NULL)
			if (strcmp(h, x->name) == 0) {
				x->value = strtoll(v, NULL, 10);
				x->found = 1;
				fclose(f);
				return 0;
			}
	}
	fclose(f);
	return 0;
}

void
impair_read(struct test_rec *r, const struct lab *lab)
{
	const struct test_spec *t = r->spec;
	char out[1024], err[256], name[32];
	int k, i;

	if (r->drops_read)
		return;
	for (k = 0; k < CAT_MAX_DROPS && t->drops[k].from != NULL; k++) {
		const struct lab_host *h = lab_host((struct lab *)lab, t->drops[k].from);
		char *args[] = { "list", "counter", "inet", NFT_TABLE, name, NULL };

		snprintf(name, sizeof(name), "dropped%d", k);
		r->dropped[k] = -1;
		if (h != NULL && run_nft(lab, h, args, NULL, out, sizeof(out), err, sizeof(err)) == 0)
			r->dropped[k] = counter_packets(out);
	}
	r->nnetstat = 0;
	for (i = 0; i < CAT_MAX_CHECKS && t->checks[i].kind != 0; i++) {
		const struct check_spec *c = &t->checks[i];
		const struct lab_host *h;
		struct netstat_rec *x = &r->netstat[r->nnetstat];
		struct netstat_job j = { x };

		if (c->kind != CK_NETSTAT || c->who == NULL ||
		    (h = lab_host((struct lab *)lab, c->who)) == NULL)
			continue;
		memset(x, 0, sizeof(*x));
		snprintf(x->host, sizeof(x->host), "%s", c->who);
		snprintf(x->name, sizeof(x->name), "%s", c->state);
		(void)host_netns_run(h->nsfd, netstat_read, &j);
		r->nnetstat++;
	}
	r->drops_read = 1;
}
