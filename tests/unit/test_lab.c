/*
 * test_lab.c - the lab and the host layer under it: lab names parsed back
 * to their owner, and (as root) route netlink errors worded with what was
 * asked, a socket made in another namespace without moving the thread, a
 * real 2-host lab: names, addresses, sysctls landing in the host and not
 * in the machine, TCP between hosts, processes spawned inside, nothing left
 * after destroy, and leftovers of a dead owner removed by lab_clean.
 * Without the privileges the root-only tests skip and the program exits 77.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/labint.h"
#include "host/netns.h"
#include "host/rtnl.h"
#include "host/sysctl.h"

static const char *const two[] = { "client", "server" };
static char dir[] = "/tmp/tw-unit-XXXXXX";

static int
privileged(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	uint32_t need = (1u << CAP_NET_ADMIN) | (1u << CAP_SYS_ADMIN);

	memset(data, 0, sizeof(data));
	return syscall(SYS_capget, &hdr, data) == 0 && (data[0].effective & need) == need;
}

static int
netns_exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return access(path, F_OK) == 0;
}

static ino_t
my_netns(void)
{
	struct stat st;

	assert_int_equal(stat("/proc/thread-self/ns/net", &st), 0);
	return st.st_ino;
}

static void
read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
}

static void
test_name_owner(void **state)
{
	int seq = 0;

	(void)state;
	assert_int_equal(lab_name_owner("tw-1234-7-client", &seq), 1234);
	assert_int_equal(seq, 7);
	assert_int_equal(lab_name_owner("tw-99-1", NULL), 99);
	assert_int_equal(lab_name_owner("tw-99-1x", NULL), 0);
	assert_int_equal(lab_name_owner("twc-99-1-a", NULL), 0);
	assert_int_equal(lab_name_owner("tw-abc-1-a", NULL), 0);
	assert_int_equal(lab_name_owner("tw-5-0-a", NULL), 0);
	assert_int_equal(lab_name_owner("tw--5-1-a", NULL), 0);
	assert_int_equal(lab_name_owner("", NULL), 0);
}

/* Requests the kernel refuses come back as errno and a message naming
 * what was asked; nothing of it touches the machine's own namespace. */
static void
test_rtnl_errors(void **state)
{
	char err[256], buf[32];
	struct rtnl nl;
	ino_t before;
	int ns, peer, idx;

	(void)state;
	if (!privileged())
		skip();
	before = my_netns();
	ns = host_netns_new();
	peer = host_netns_new();
	assert_true(ns >= 0 && peer >= 0);
	assert_int_equal(my_netns(), before);
	assert_int_equal(rtnl_open(&nl, ns, err, sizeof(err)), 0);
	assert_int_equal(my_netns(), before);
	assert_int_equal(rtnl_link_up(&nl, 1, err, sizeof(err)), 0);
	assert_int_equal(rtnl_veth_add(&nl, "tw0", 0, "tw1", peer, err, sizeof(err)), 0);
	assert_int_equal(rtnl_veth_add(&nl, "tw0", 0, "tw1", peer, err, sizeof(err)), -1);
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(err, "new veth tw0 (peer tw1)"));
	assert_non_null(strstr(err, strerror(EEXIST)));
	assert_int_equal(rtnl_ifindex(&nl, "nosuch0", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nosuch0"));
	idx = rtnl_ifindex(&nl, "tw0", err, sizeof(err));
	assert_true(idx > 1);
	assert_int_equal(rtnl_addr_add(&nl, idx, AF_INET, "10.1.2.300", 24, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "10.1.2.300/24"));
	assert_int_equal(rtnl_addr_add(&nl, idx, AF_INET, "10.1.2.3", 24, err, sizeof(err)), 0);
	assert_int_equal(rtnl_addr_add(&nl, idx, AF_INET, "10.1.2.3", 24, err, sizeof(err)), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(rtnl_bridge_add(&nl, "tw0", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "new bridge tw0"));
	rtnl_close(&nl);
	rtnl_close(&nl);	/* twice is harmless */
	/* The peer landed in the other namespace, and sysctls go by fd. */
	assert_int_equal(rtnl_open(&nl, peer, err, sizeof(err)), 0);
	assert_true(rtnl_ifindex(&nl, "tw1", err, sizeof(err)) > 1);
	rtnl_close(&nl);
	assert_int_equal(host_sysctl_set(ns, "net/ipv4/tcp_fin_timeout", "17"), 0);
	assert_int_equal(host_sysctl_get(ns, "net/ipv4/tcp_fin_timeout", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "17");
	assert_int_equal(host_sysctl_get(peer, "net/ipv4/tcp_fin_timeout", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "60");
	assert_int_equal(host_sysctl_get(ns, "../x", buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(my_netns(), before);
	close(ns);
	close(peer);
}

static void
test_build_destroy(void **state)
{
	char err[256], buf[128], init_before[32], init_after[32], path[512], file[2048];
	struct lab lab;
	ino_t before;
	int i;

	(void)state;
	if (!privileged())
		skip();
	read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", init_before, sizeof(init_before));
	before = my_netns();
	assert_int_equal(lab_build(&lab, two, 2, dir, err, sizeof(err)), 0);
	assert_int_equal(my_netns(), before);	/* the thread is back */
	assert_int_equal(lab.owner, getpid());
	assert_int_equal(lab_name_owner(lab.id, NULL), getpid());
	assert_true(netns_exists(lab.switch_netns));
	for (i = 0; i < 2; i++) {
		struct lab_host *h = &lab.hosts[i];

		assert_string_equal(h->name, two[i]);
		assert_string_equal(h->ifname, "eth0");
		assert_true(netns_exists(h->netns));
		assert_true(h->nsfd >= 0);
		assert_int_equal(lab_sysctl_get(h, "net/ipv4/ip_unprivileged_port_start", buf, sizeof(buf)), 0);
		assert_string_equal(buf, "0");
		assert_int_equal(lab_sysctl_get(h, "net/ipv4/ip_local_port_range", buf, sizeof(buf)), 0);
		assert_string_equal(buf, "32768\t60999");
		assert_int_equal(lab_sysctl_get(h, "net/ipv4/tcp_tw_reuse", buf, sizeof(buf)), 0);
		assert_string_equal(buf, "2");
	}
	assert_ptr_equal(lab_host(&lab, "server"), &lab.hosts[1]);
	assert_null(lab_host(&lab, "nobody"));
	assert_int_equal(lab_sysctl_set(&lab.hosts[0], "net/ipv4/tcp_fin_timeout", "30"), 0);
	assert_int_equal(lab_sysctl_get(&lab.hosts[0], "net/ipv4/tcp_fin_timeout", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "30");
	assert_int_equal(lab_sysctl_get(&lab.hosts[1], "net/ipv4/tcp_fin_timeout", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "60");
	assert_int_equal(lab_sysctl_set(&lab.hosts[0], "../../etc/passwd", "x"), -1);
	assert_int_equal(my_netns(), before);
	read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", init_after, sizeof(init_after));
	assert_string_equal(init_before, init_after);	/* the machine's own: untouched */

	snprintf(path, sizeof(path), "%s/hosts", dir);
	read_file(path, file, sizeof(file));
	assert_non_null(strstr(file, lab.hosts[1].addr));

	lab_destroy(&lab);
	snprintf(path, sizeof(path), "/run/netns/%s-client", lab.id);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "/run/netns/%s-sw", lab.id);
	assert_int_equal(access(path, F_OK), -1);
}

/* An IPv6 address is tentative until the kernel clears the mark: the
 * link-local one it makes when the link gets carrier, after duplicate
 * address detection (1 s here, accept_dad 1) or, with none (the lab's
 * hosts), in a work item a loaded machine may run late. rtnl_tentative
 * counts them; lab_build waits for none before it returns. */
static void
test_rtnl_tentative(void **state)
{
	char err[256];
	struct rtnl nl, pn;
	struct lab lab;
	int ns, peer, idx, pidx, n = -1, i, h;

	(void)state;
	if (!privileged())
		skip();
	if (access("/proc/sys/net/ipv6", F_OK) != 0)
		skip();
	ns = host_netns_new();
	peer = host_netns_new();
	assert_true(ns >= 0 && peer >= 0);
	assert_int_equal(rtnl_open(&nl, ns, err, sizeof(err)), 0);
	assert_int_equal(rtnl_veth_add(&nl, "tw0", 0, "tw1", peer, err, sizeof(err)), 0);
	idx = rtnl_ifindex(&nl, "tw0", err, sizeof(err));
	assert_true(idx > 1);
	assert_int_equal(rtnl_addr_add(&nl, idx, AF_INET6, "fd74:1::2", 64, err, sizeof(err)), 0);
	assert_int_equal(rtnl_tentative(&nl, idx, err, sizeof(err)), 0);	/* nodad: never */
	assert_int_equal(rtnl_open(&pn, peer, err, sizeof(err)), 0);
	pidx = rtnl_ifindex(&pn, "tw1", err, sizeof(err));
	assert_int_equal(rtnl_link_up(&pn, pidx, err, sizeof(err)), 0);	/* carrier */
	for (i = 0; i < 250 && (n = rtnl_tentative(&nl, idx, err, sizeof(err))) == 0; i++)
		usleep(2000);
	assert_int_equal(n, 1);		/* the link-local address, in DAD */
	for (i = 0; i < 2000 && (n = rtnl_tentative(&nl, idx, err, sizeof(err))) > 0; i++)
		usleep(2000);
	assert_int_equal(n, 0);		/* DAD over */
	rtnl_close(&pn);
	rtnl_close(&nl);
	close(ns);
	close(peer);

	assert_int_equal(lab_build(&lab, two, 2, dir, err, sizeof(err)), 0);
	for (h = 0; h < 2; h++) {
		assert_int_equal(rtnl_open(&nl, lab.hosts[h].nsfd, err, sizeof(err)), 0);
		idx = rtnl_ifindex(&nl, "eth0", err, sizeof(err));
		assert_int_equal(rtnl_tentative(&nl, idx, err, sizeof(err)), 0);
		rtnl_close(&nl);
	}
	lab_destroy(&lab);
}

/* Sockets keep the namespace they were made in: one thread can hold a
 * listener in the server and connect to it from the client. */
static int
socket_in(int nsfd, int orig)
{
	int fd;

	assert_int_equal(host_netns_enter(nsfd), 0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(host_netns_enter(orig), 0);
	assert_true(fd >= 0);
	return fd;
}

static void
test_tcp_between_hosts(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(666) };
	char err[256], msg[8] = "";
	struct lab lab;
	int orig, ls, cs, as;

	(void)state;
	if (!privileged())
		skip();
	assert_int_equal(lab_build(&lab, two, 2, dir, err, sizeof(err)), 0);
	orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(orig >= 0);
	ls = socket_in(lab.hosts[1].nsfd, orig);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 4), 0);
	cs = socket_in(lab.hosts[0].nsfd, orig);
	assert_int_equal(inet_pton(AF_INET, lab.hosts[1].addr, &sa.sin_addr), 1);
	assert_int_equal(connect(cs, (struct sockaddr *)&sa, sizeof(sa)), 0);
	as = accept(ls, NULL, NULL);
	assert_true(as >= 0);
	assert_int_equal(write(cs, "bip", 3), 3);
	assert_int_equal(read(as, msg, sizeof(msg) - 1), 3);
	assert_string_equal(msg, "bip");
	/* The machine itself has no route to the lab. */
	close(cs);
	cs = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_int_equal(connect(cs, (struct sockaddr *)&sa, sizeof(sa)) == 0, 0);
	close(cs);
	close(as);
	close(ls);
	close(orig);
	lab_destroy(&lab);
}

static void
test_spawn(void **state)
{
	struct lab_proc_opts o = { .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .extra_fd = -1 };
	char err[256], out[1024];
	char *missing[] = { "/nonexistent/prog", NULL };
	char *relative[] = { "sh", NULL };
	char *hosts[] = { "/bin/sh", "-c", "cat /etc/hosts; echo three >&3; id -u", NULL };
	char *sleeper[] = { "/bin/sleep", "300", NULL };
	struct lab lab;
	int p[2], x[2], status;
	ssize_t n, got = 0;
	pid_t pid, slp;

	(void)state;
	if (!privileged())
		skip();
	assert_int_equal(lab_build(&lab, two, 2, dir, err, sizeof(err)), 0);
	errno = 0;
	assert_int_equal(lab_spawn(&lab, &lab.hosts[0], missing, &o), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(lab_spawn(&lab, &lab.hosts[0], relative, &o), -1);
	assert_int_equal(errno, EINVAL);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(x), 0);
	o.stdout_fd = p[1];
	o.extra_fd = x[1];
	o.unprivileged = 1;
	pid = lab_spawn(&lab, &lab.hosts[0], hosts, &o);
	assert_true(pid > 0);
	close(p[1]);
	close(x[1]);
	while ((n = read(p[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_non_null(strstr(out, lab.hosts[1].addr));
	assert_non_null(strstr(out, "server"));
	assert_non_null(strstr(out, "65534"));
	n = read(x[0], err, sizeof(err) - 1);
	assert_true(n > 0);
	err[n] = '\0';
	assert_string_equal(err, "three\n");
	close(x[0]);

	/* destroy kills what still runs inside */
	o.stdout_fd = o.extra_fd = -1;
	o.unprivileged = 0;
	slp = lab_spawn(&lab, &lab.hosts[1], sleeper, &o);
	assert_true(slp > 0);
	lab_destroy(&lab);
	assert_int_equal(waitpid(slp, &status, 0), slp);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* State letter of pid in /proc, or 0 when it is gone. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/* A program started as nobody still dies with its spawner: the death
 * signal survives the change of credentials. */
static void
test_spawn_dies_with_parent(void **state)
{
	struct lab_proc_opts o = { .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .extra_fd = -1, .unprivileged = 1 };
	char *sleeper[] = { "/bin/sleep", "300", NULL };
	char err[256], st = 'S';
	struct lab lab;
	int p[2], i;
	pid_t mid, slp = -1;

	(void)state;
	if (!privileged())
		skip();
	assert_int_equal(lab_build(&lab, two, 2, dir, err, sizeof(err)), 0);
	assert_int_equal(pipe(p), 0);
	mid = fork();
	assert_true(mid >= 0);
	if (mid == 0) {
		pid_t s = lab_spawn(&lab, &lab.hosts[0], sleeper, &o);

		(void)!write(p[1], &s, sizeof(s));
		pause();
		_exit(0);
	}
	assert_int_equal(read(p[0], &slp, sizeof(slp)), sizeof(slp));
	close(p[0]);
	close(p[1]);
	assert_true(slp > 0);
	kill(mid, SIGKILL);
	waitpid(mid, NULL, 0);
	for (i = 0; i < 200; i++) {
		st = proc_state(slp);
		if (st == 0 || st == 'Z')
			break;
		usleep(5000);
	}
	lab_destroy(&lab);
	assert_true(st == 0 || st == 'Z');
}

/* A lab whose owner died is a leftover that lab_clean removes. Other runs
 * on the machine clean leftovers too (every lab_build does): the lab is
 * checked while its owner lives, and after the clean it must be gone,
 * whoever removed it. */
static void
test_clean_dead_owner(void **state)
{
	char err[256], names[2][64], go = 'x';
	struct lab lab;
	int p[2], q[2], status;
	pid_t pid;

	(void)state;
	if (!privileged())
		skip();
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {	/* builds a lab and dies without destroying it */
		close(q[1]);
		if (lab_build(&lab, two, 2, dir, err, sizeof(err)) == 0) {
			(void)!write(p[1], lab.hosts[0].netns, sizeof(lab.hosts[0].netns));
			(void)!write(p[1], lab.switch_netns, sizeof(lab.switch_netns));
		}
		(void)!read(q[0], &go, 1);
		_exit(0);
	}
	close(p[1]);
	close(q[0]);
	assert_int_equal(read(p[0], names[0], 64), 64);
	assert_int_equal(read(p[0], names[1], 64), 64);
	close(p[0]);
	assert_true(netns_exists(names[0]));
	assert_true(netns_exists(names[1]));
	close(q[1]);	/* the owner may die now */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(lab_clean(0, 0) >= 0);
	assert_false(netns_exists(names[0]));
	assert_false(netns_exists(names[1]));
}

static void
test_bad_names(void **state)
{
	const char *bad[] = { "Client", "x" };
	const char *dup[] = { "a", "a" };
	const char *sw[] = { "sw" };
	const char *long1[] = { "abcdefghijklm" };
	char err[256];
	struct lab lab;

	(void)state;
	assert_int_equal(lab_build(&lab, bad, 2, dir, err, sizeof(err)), -1);
	assert_int_equal(lab_build(&lab, dup, 2, dir, err, sizeof(err)), -1);
	assert_int_equal(lab_build(&lab, sw, 1, dir, err, sizeof(err)), -1);
	assert_int_equal(lab_build(&lab, long1, 1, dir, err, sizeof(err)), -1);
	assert_int_equal(lab_build(&lab, bad, 0, dir, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_owner),
		cmocka_unit_test(test_rtnl_errors),
		cmocka_unit_test(test_rtnl_tentative),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_build_destroy),
		cmocka_unit_test(test_tcp_between_hosts),
		cmocka_unit_test(test_spawn),
		cmocka_unit_test(test_spawn_dies_with_parent),
		cmocka_unit_test(test_clean_dead_owner),
	};
	char path[64];
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(path, sizeof(path), "%s/hosts", dir);
	unlink(path);
	rmdir(dir);
	if (rc == 0 && !privileged()) {
		fflush(stdout);	/* "needs root" must be the log's last line */
		fprintf(stderr, "needs root\n");
		return 77;
	}
	return rc;
}
