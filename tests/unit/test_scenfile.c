/*
 * test_scenfile.c - the scenario parser (src/scen/): every statement read
 * into the struct test_spec the runner knows, and every mistake refused
 * with its "FILE:LINE: what" message, the line being the one that is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "scen/knobs.h"
#include "scen/scenfile.h"

/* A whole test using every statement; line numbers matter below. */
static const char full[] =
    "# a comment, then a blank line\n"			/* 1 */
    "\n"						/* 2 */
    "test my-test.1\n"					/* 3 */
    "seed\n"						/* 4 */
    "title A title: with a colon\n"			/* 5 */
    "shows what it shows\n"				/* 6 */
    "host client\n"					/* 7 */
    "host server\n"					/* 8 */
    "link client server\n"				/* 9 */
    "sysctl client net.ipv4.tcp_fin_timeout=5\n"	/* 10 */
    "sysctl server net.ipv4.ip_local_port_range = 1024 65000\n"	/* 11 */
    "program server on server: timewait server -s 1\n"	/* 12 */
    "program client on client: timewait client -t {server} \"-s\" 0 \"a b\" {{x}}\n"	/* 13 */
    "program tool on client: /bin/true {server-v6} {dir}/f\n"	/* 14 */
    "start server\n"					/* 15 */
    "start client settle 5ms\n"				/* 16 */
    "start tool\n"					/* 17 */
    "wait client connect 1 within 3s mark\n"		/* 18 */
    "at 1.5s sigint client as stop-client\n"		/* 19 */
    "at 2s enter server\n"				/* 20 */
    "at 2s snapshot mid\n"				/* 21 */
    "wait client close\n"				/* 22 */
    "snapshot end settled\n"				/* 23 */
    "wait-timewait client\n"				/* 24 */
    "end\n"						/* 25 */
    "check call client bind 2 ok: bind ok\n"		/* 26 */
    "check call client bind 2 fails EADDRINUSE: bind 98\n"
    "check call client read 1 fails: read fails\n"
    "check call server write 1 fails 104 full: errno by number, --full only\n"
    "check same-port client: same port\n"
    "check timewait server at end >= 1: tw\n"
    "check timewait client at end == 0: no tw\n"
    "check tw-timer client at end 55s..60s: timer\n"
    "check state client at mid ESTABLISHED >= 2 port 667: state\n"
    "check sends client RST == 0: no rst\n"
    "check sends server DATA >= 3: data\n"
    "check first-fin server: first fin\n"
    "check fin-after client stop-client 0..300ms: fin after\n"
    "check fin-gap client server 4s..6s: gap\n"
    "check established client >= 2: two open\n"
    "check race: race, colon: kept\n";

static struct test_spec *
parse(const char *text, char *err, size_t len)
{
	err[0] = '\0';
	return scen_parse(text, strlen(text), "/x/t.scen", err, len);
}

static void
every_statement(void **state)
{
	struct test_spec *t;
	const struct check_spec *c;
	char err[512];

	(void)state;
	t = parse(full, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(t->id, "my-test.1");
	assert_true(t->seed);
	assert_string_equal(t->title, "A title: with a colon");
	assert_string_equal(t->shows, "what it shows");
	assert_string_equal(t->file, "/x/t.scen");
	assert_string_equal(t->dir, "/x");
	assert_string_equal(t->hosts[0], "client");
	assert_string_equal(t->hosts[1], "server");
	assert_null(t->hosts[2]);
	assert_string_equal(t->links[0].a, "client");
	assert_string_equal(t->links[0].b, "server");
	assert_int_equal(t->links[0].line, 9);
	assert_string_equal(t->sysctls[0].host, "client");
	assert_string_equal(t->sysctls[0].key, "net.ipv4.tcp_fin_timeout");
	assert_string_equal(t->sysctls[0].value, "5");
	assert_int_equal(t->sysctls[0].line, 10);
	assert_string_equal(t->sysctls[1].key, "net.ipv4.ip_local_port_range");
	assert_string_equal(t->sysctls[1].value, "1024 65000");

	assert_string_equal(t->procs[0].prog, "server");
	assert_string_equal(t->procs[0].args[0], "-s");
	assert_string_equal(t->procs[0].args[1], "1");
	assert_null(t->procs[0].args[2]);
	assert_string_equal(t->procs[1].prog, "client");
	assert_string_equal(t->procs[1].args[1], "{server}");
	assert_string_equal(t->procs[1].args[2], "-s");
	assert_string_equal(t->procs[1].args[4], "a b");
	assert_string_equal(t->procs[1].args[5], "{{x}}");
	assert_string_equal(t->procs[2].prog, "exec");
	assert_string_equal(t->procs[2].cmd, "/bin/true");
	assert_string_equal(t->procs[2].path, "/bin/true");
	assert_string_equal(t->procs[2].args[0], "{server-v6}");

	assert_int_equal(t->actions[0].kind, ACT_START);
	assert_string_equal(t->actions[0].proc, "server");
	assert_int_equal(t->actions[1].settle_ms, 5);
	assert_int_equal(t->actions[3].kind, ACT_WAIT);
	assert_string_equal(t->actions[3].step, "connect");
	assert_int_equal(t->actions[3].req, 1);
	assert_int_equal(t->actions[3].timeout_ms, 3000);
	assert_true(t->actions[3].mark);
	assert_int_equal(t->actions[4].kind, ACT_SIGINT);
	assert_int_equal(t->actions[4].at_ms, 1500);
	assert_string_equal(t->actions[4].name, "stop-client");
	assert_int_equal(t->actions[5].kind, ACT_ENTER);
	assert_int_equal(t->actions[6].kind, ACT_SNAPSHOT);
	assert_string_equal(t->actions[6].snap, "mid");
	assert_false(t->actions[6].settled);
	assert_int_equal(t->actions[7].req, 0);
	assert_int_equal(t->actions[7].timeout_ms, 2000);	/* the default */
	assert_true(t->actions[8].settled);
	assert_int_equal(t->actions[9].kind, ACT_WAIT_TW);
	assert_int_equal(t->actions[10].kind, ACT_END);
	assert_int_equal(t->actions[11].kind, 0);

	c = t->checks;
	assert_int_equal(c[0].kind, CK_CALL);
	assert_string_equal(c[0].who, "client");
	assert_string_equal(c[0].step, "bind");
	assert_int_equal(c[0].req, 2);
	assert_int_equal(c[0].err, 0);
	assert_string_equal(c[0].what, "bind ok");
	assert_int_equal(c[1].kind, CK_CALL);
	assert_int_equal(c[1].err, 98);
	assert_int_equal(c[2].kind, CK_CALL_FAILS);
	assert_int_equal(c[3].err, 104);
	assert_true(c[3].full);
	assert_int_equal(c[4].kind, CK_SAME_PORT);
	assert_int_equal(c[5].kind, CK_TIMEWAIT);
	assert_string_equal(c[5].snap, "end");
	assert_true(c[5].n == 1 && c[5].atleast);
	assert_true(c[6].n == 0 && !c[6].atleast);
	assert_int_equal(c[7].kind, CK_TW_TIMER);
	assert_true(c[7].lo == 55000 && c[7].hi == 60000);
	assert_int_equal(c[8].kind, CK_STATE);
	assert_string_equal(c[8].state, "ESTABLISHED");
	assert_true(c[8].n == 2 && c[8].port == 667);
	assert_int_equal(c[9].kind, CK_SENDS);
	assert_true(c[9].flag == 'R' && c[9].n == 0 && !c[9].atleast);
	assert_true(c[10].flag == 'D' && c[10].n == 3 && c[10].atleast);
	assert_int_equal(c[11].kind, CK_FIRST_FIN);
	assert_int_equal(c[12].kind, CK_FIN_AFTER);
	assert_int_equal(c[12].n, 4);	/* the action's index, from its name */
	assert_true(c[12].lo == 0 && c[12].hi == 300);
	assert_int_equal(c[13].kind, CK_FIN_GAP);
	assert_string_equal(c[13].peer, "server");
	assert_int_equal(c[14].kind, CK_ESTABLISHED);
	assert_int_equal(c[14].n, 2);
	assert_int_equal(c[15].kind, CK_RACE);
	assert_string_equal(c[15].what, "race, colon: kept");
	scen_free(t);
}

/* The smallest test; the error cases below change one line of it. */
#define HEAD "test t\ntitle T\nshows S\nhost client\nhost server\n"	/* lines 1-5 */
#define PROGS "program server on server: timewait server -s 1\n"	/* 6 */ \
	"program client on client: timewait client -t server -s 0\n"	/* 7 */
#define RUN "start server\nstart client\nwait client close 2\nsnapshot end settled\nend\n"	/* 8-12 */
#define CHECK "check first-fin server: the server closes first\n"	/* 13 */

static const struct {
	const char *text;
	const char *err;	/* the whole message */
} bad[] = {
	{ "", "/x/t.scen:1: no 'test ID' line: the file is empty or all comments" },
	{ "title T\n", "/x/t.scen:1: the file starts with 'test ID' (then title, shows, hosts...)" },
	{ "test a/b\n", "/x/t.scen:1: bad test id 'a/b': it names the run folder, so 1-63 of A-Z a-z 0-9 . _ - (not starting with . _ -)" },
	{ "test ..\n", "/x/t.scen:1: bad test id '..': it names the run folder, so 1-63 of A-Z a-z 0-9 . _ - (not starting with . _ -)" },
	{ "test a b\n", "/x/t.scen:1: 'test' takes one id: test ID" },
	{ "test a\ntest b\n", "/x/t.scen:2: a second 'test' line (the first names the test)" },
	{ "test a\ntitle\n", "/x/t.scen:2: 'title' wants a line of text" },
	{ "test a\ntitle x\ntitle y\n", "/x/t.scen:3: a second 'title' line" },
	{ "test a\nseed 1\n", "/x/t.scen:2: 'seed' takes nothing after it" },
	{ "test a\nhots client\n", "/x/t.scen:2: unknown statement 'hots' (test, title, shows, seed, repeat, min-time-scale, host, link, drop, vary, sysctl, program, an action, check)" },
	{ "test a\nhost Client\n", "/x/t.scen:2: bad host name 'Client': 1-12 of a-z and 0-9 (and not sw, dir, run)" },
	{ "test a\nhost dir\n", "/x/t.scen:2: bad host name 'dir': 1-12 of a-z and 0-9 (and not sw, dir, run)" },
	{ "test a\nhost c\nhost c\n", "/x/t.scen:3: host 'c' is declared twice" },
	{ "test a\nhost a1\nhost a2\nhost a3\nhost a4\nhost a5\nhost a6\nhost a7\n", "/x/t.scen:8: too many hosts (at most 6)" },
	{ "test a\nhost c\nlink c s\n", "/x/t.scen:3: no host 's' declared above" },
	{ "test a\nhost c\nhost s\nlink c s delay\n", "/x/t.scen:4: 'delay' wants a value after it" },
	{ "test a\nhost c\nhost s\nlink c s delay 10ms jitter 20ms\n", "/x/t.scen:4: a jitter larger than the delay would send packets back in time" },
	{ "test a\nhost c\nhost s\nlink c s loss 5\n", "/x/t.scen:4: loss '5': a percentage, 0% to 100%" },
	{ "test a\nhost c\nhost s\nlink c s loss 101%\n", "/x/t.scen:4: '101' is not a number from 0 to 100" },
	{ "test a\nhost c\nhost s\nlink c s delay 10ms from x\n", "/x/t.scen:4: 'from x': the link joins c and s" },
	{ "test a\nhost c\nhost s\nlink c s from c\n", "/x/t.scen:4: 'from' says which way an impairment goes: delay, jitter, loss, rate, duplicate or reorder" },
	{ "test a\nhost c\nhost s\nlink c s delay 10ms delay 5ms\n", "/x/t.scen:4: 'delay' twice on one link" },
	{ "test a\nhost c\nhost s\nlink c s delay 10ms from c from s\n", "/x/t.scen:4: 'from' twice on one link" },
	{ "test a\nhost c\nhost s\nlink c s speed 1mbit\n", "/x/t.scen:4: unexpected 'speed' on the link (delay, jitter, loss, rate, duplicate, reorder, from)" },
	{ "test a\nhost c\nhost s\nlink c s rate\n", "/x/t.scen:4: 'rate' wants a value after it" },
	{ "test a\nhost c\nhost s\nlink c s rate 1mbps\n", "/x/t.scen:4: rate '1mbps': a number and a unit, bit kbit mbit or gbit (1mbit, 500kbit)" },
	{ "test a\nhost c\nhost s\nlink c s rate mbit\n", "/x/t.scen:4: rate 'mbit': a number and a unit, bit kbit mbit or gbit (1mbit, 500kbit)" },
	{ "test a\nhost c\nhost s\nlink c s rate 1000\n", "/x/t.scen:4: rate '1000': a number and a unit, bit kbit mbit or gbit (1mbit, 500kbit)" },
	{ "test a\nhost c\nhost s\nlink c s rate 7kbit\n", "/x/t.scen:4: rate '7kbit': from 8kbit to 10gbit" },
	{ "test a\nhost c\nhost s\nlink c s rate 11gbit\n", "/x/t.scen:4: rate '11gbit': from 8kbit to 10gbit" },
	{ "test a\nhost c\nhost s\nlink c s rate 99999999999999mbit\n", "/x/t.scen:4: rate '99999999999999mbit': a number and a unit, bit kbit mbit or gbit (1mbit, 500kbit)" },
	{ "test a\nhost c\nhost s\nlink c s rate 1mbit rate 2mbit\n", "/x/t.scen:4: 'rate' twice on one link" },
	{ "test a\nhost c\nhost s\nlink c s duplicate 10\n", "/x/t.scen:4: duplicate '10': a percentage, 0% to 100%" },
	{ "test a\nhost c\nhost s\nlink c s duplicate 200%\n", "/x/t.scen:4: '200' is not a number from 0 to 100" },
	{ "test a\nhost c\nhost s\nlink c s reorder -5%\n", "/x/t.scen:4: '-5' is not a number from 0 to 100" },
	{ "test a\nhost c\nhost s\nlink c s reorder 5%% from c\n", "/x/t.scen:4: '5%' is not a number from 0 to 100" },
	{ "test a\nhost c\nhost s\nlink c s reorder\n", "/x/t.scen:4: 'reorder' wants a value after it" },
	{ "test a\nhost c\nhost s\nlink c s\nlink s c\n", "/x/t.scen:5: link s c is declared twice (a second line may impair the other direction: 'from HOST')" },
	{ "test a\nhost c\nhost s\nlink c s delay 1ms from c\nlink c s delay 2ms\n", "/x/t.scen:5: link c s is declared twice (a second line may impair the other direction: 'from HOST')" },
	{ "test a\nhost c\nhost s\nlink c s delay 1ms from c\nlink s c rate 1mbit from c\n", "/x/t.scen:5: the link from c to s is impaired twice" },
	{ "test a\nhost c\nhost s\nlink c s delay 1ms from c\nlink s c rate 1bit from s\n", "/x/t.scen:5: rate '1bit': from 8kbit to 10gbit" },
	{ "test a\nhost c\nhost s\nlink c s delay 11s\n", "/x/t.scen:4: a delay of at most 10 s" },
	{ "test a\nhost c\nlink c c\n", "/x/t.scen:3: a link joins two different hosts" },
	{ "test a\nhost c\nsysctl s net.ipv4.tcp_fin_timeout=5\n", "/x/t.scen:3: no host 's' declared above" },
	{ "test a\nhost c\nsysctl c net.ipv4.tcp_fin_timeout\n", "/x/t.scen:3: 'sysctl' wants KEY=VALUE, as sysctl(8) writes it: net.ipv4.tcp_fin_timeout=5" },
	{ "test a\nhost c\nsysctl c kernel.pid_max=5\n", "/x/t.scen:3: 'kernel.pid_max' is not a network sysctl name: net.PART.PART..., each part of A-Z a-z 0-9 _ -" },
	{ "test a\nhost c\nsysctl c net.ipv4..x=5\n", "/x/t.scen:3: 'net.ipv4..x' is not a network sysctl name: net.PART.PART..., each part of A-Z a-z 0-9 _ -" },
	{ "test a\nhost c\nsysctl c net/ipv4/x=5\n", "/x/t.scen:3: 'net/ipv4/x' is not a network sysctl name: net.PART.PART..., each part of A-Z a-z 0-9 _ -" },
	{ "test a\nhost c\nsysctl c net.ipv4.x=\n", "/x/t.scen:3: bad value for net.ipv4.x: 1-63 printable characters" },
	{ "test a\nhost c\nsysctl c net.ipv4.x=1\nsysctl c net.ipv4.x=2\n", "/x/t.scen:4: net.ipv4.x is set twice on host c (first on line 3)" },
	{ "test a\nhost c\nprogram p on c timewait server\n", "/x/t.scen:3: 'program' reads: program NAME on HOST: COMMAND [ARG...]" },
	{ "test a\nhost c\nprogram p at c: timewait server\n", "/x/t.scen:3: 'program' reads: program NAME on HOST: COMMAND [ARG...]" },
	{ "test a\nhost c\nprogram ../p on c: timewait server\n", "/x/t.scen:3: bad program name '../p': it names files (HOST.NAME.events.jsonl), so 1-23 of A-Z a-z 0-9 _ - (not starting with _ -)" },
	{ "test a\nhost c\nprogram p.2 on c: timewait server\n", "/x/t.scen:3: bad program name 'p.2': it names files (HOST.NAME.events.jsonl), so 1-23 of A-Z a-z 0-9 _ - (not starting with _ -)" },
	{ "test a\nhost c\nprogram p on s: timewait server\n", "/x/t.scen:3: no host 's' declared above" },
	{ "test a\nhost c\nprogram p on c:\n", "/x/t.scen:3: program p has no command after the ':'" },
	{ "test a\nhost c\nprogram p on c: timewait proxy\n", "/x/t.scen:3: timewait runs here as 'timewait server' or 'timewait client'" },
	{ "test a\nhost c\nprogram p on c: no-such-command-here\n", "/x/t.scen:3: command 'no-such-command-here' not found in PATH (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)" },
	{ "test a\nhost c\nprogram p on c: ../x/tool\n", "/x/t.scen:3: '../x/tool': a command beside the scenario stays in its folder (no '..'; the program sees only that folder)" },
	{ "test a\nhost c\nprogram p on c: sub/../../tool\n", "/x/t.scen:3: 'sub/../../tool': a command beside the scenario stays in its folder (no '..'; the program sees only that folder)" },
	{ "test a\nhost c\nprogram p on c as nobody: /bin/true\n", "/x/t.scen:3: 'program' reads: program NAME on HOST [as root]: COMMAND [ARG...]" },
	{ "test a\nhost c\nprogram p on c as root: timewait server\n", "/x/t.scen:3: only a command runs 'as root': timewait's programs run as the lab decides, a proxy as nobody" },
	{ "test a\nhost c\nprogram p on c: /bin/true {run}/x\n", "/x/t.scen:3: {run} in '{run}/x': a command does not see the run folder (its output is kept there, in p.log)" },
	{ "test a\nhost c\nprogram p on c: ./missing.sh\n", "/x/t.scen:3: no program at /x/./missing.sh (a relative path is taken from the scenario's folder)" },
	{ "test a\nhost c\nprogram p on c: timewait server\nprogram p on c: timewait server\n", "/x/t.scen:4: program 'p' is declared twice" },
	{ "test a\nhost c\nprogram p on c: timewait client -t {s}\n", "/x/t.scen:3: {s}: no host of that name above (a host, HOST-v6, dir or run)" },
	{ "test a\nhost c\nprogram p on c: timewait client -t {c\n", "/x/t.scen:3: a '{' is not closed in '{c' (write '{{' for one '{')" },
	{ "test a\nhost c\nprogram p on c: timewait client -t c}\n", "/x/t.scen:3: a lone '}' in 'c}' (write '}}' for one '}')" },
	{ "test a\nhost c\nprogram p on c: timewait client \"-t\n", "/x/t.scen:3: a '\"' is not closed" },
	{ "test a\nhost c\nprogram p on c: timewait client a\"b\n", "/x/t.scen:3: a '\"' inside a word: quote the whole word" },
	{ "test a\nhost c\nprogram p on c: timewait client 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21\n", "/x/t.scen:3: too many arguments (at most 20)" },
	{ HEAD PROGS "start nobody\n", "/x/t.scen:8: no program 'nobody' declared above" },
	{ HEAD PROGS "start server\nstart server\n", "/x/t.scen:9: program server is started twice" },
	{ HEAD PROGS "sigint client\n", "/x/t.scen:8: program client is not started above" },
	{ HEAD PROGS "start client\nwait client clsoe 2\n", "/x/t.scen:9: 'clsoe' is not a step the programs log (docs/formats.md)" },
	{ HEAD PROGS "start client\nwait client\n", "/x/t.scen:9: 'wait' wants a step: wait PROGRAM STEP [REQUEST]" },
	{ HEAD PROGS "start client\nwait client close 0\n", "/x/t.scen:9: '0' is not a number from 1 to 100000" },
	{ HEAD PROGS "start client\nwait client close 1 within 0\n", "/x/t.scen:9: 'within 0' waits for nothing" },
	{ HEAD PROGS "start client\nwait client close 1 within\n", "/x/t.scen:9: unexpected 'within' in the action (it wants a value after it)" },
	{ HEAD PROGS "start client settled\n", "/x/t.scen:8: unexpected 'settled' in the action" },
	{ HEAD PROGS "at 13 start client\n", "/x/t.scen:8: '13' is not a duration: whole milliseconds up to an hour, with a unit (300ms, 13s, 1.5s)" },
	{ HEAD PROGS "at 1.5ms start client\n", "/x/t.scen:8: '1.5ms' is not a duration: whole milliseconds up to an hour, with a unit (300ms, 13s, 1.5s)" },
	{ HEAD PROGS "at 2h start client\n", "/x/t.scen:8: '2h' is not a duration: whole milliseconds up to an hour, with a unit (300ms, 13s, 1.5s)" },
	{ HEAD PROGS "at 3601s start client\n", "/x/t.scen:8: '3601s' is not a duration: whole milliseconds up to an hour, with a unit (300ms, 13s, 1.5s)" },
	{ HEAD PROGS "at 2s start client\nat 1s start server\n", "/x/t.scen:9: at 1s comes before the 2000 ms of an action above: actions are written in the order they run" },
	{ HEAD PROGS "at 2s start client\nsnapshot x\nat 1s start server\n", "/x/t.scen:10: at 1s comes before the 2000 ms of an action above: actions are written in the order they run" },
	{ HEAD PROGS "at 1s\n", "/x/t.scen:8: 'at' wants a time and an action: at 13s sigint client" },
	{ HEAD "repeat\n", "/x/t.scen:6: 'repeat' takes: repeat in-one-lab [runs N]" },
	{ HEAD "repeat in-one-lab\nrepeat in-one-lab\n", "/x/t.scen:7: a second 'repeat' line" },
	{ HEAD "min-time-scale 0.04\n", "/x/t.scen:6: 'min-time-scale' wants a number and why: min-time-scale F: WHY" },
	{ HEAD "min-time-scale x: why\n", "/x/t.scen:6: min-time-scale 'x' is not a number from 0 to 10" },
	{ HEAD "min-time-scale 0.04:\n", "/x/t.scen:6: 'min-time-scale' wants a reason after the colon" },
	{ HEAD PROGS "jump client\n", "/x/t.scen:8: unknown statement 'jump' (test, title, shows, seed, repeat, min-time-scale, host, link, drop, vary, sysctl, program, an action, check)" },
	{ HEAD PROGS "at 1s jump client\n", "/x/t.scen:8: unknown action 'jump' (start, wait, sigint, enter, snapshot, wait-timewait, end)" },
	{ HEAD PROGS "start client as x\nstart server as x\n", "/x/t.scen:9: action name 'x' is used twice" },
	{ HEAD PROGS "start client as a/b\n", "/x/t.scen:8: bad action name 'a/b'" },
	{ HEAD PROGS "snapshot\n", "/x/t.scen:8: 'snapshot' wants a name: snapshot NAME" },
	{ HEAD PROGS "snapshot a-very-long-name-x\n", "/x/t.scen:8: bad snapshot name 'a-very-long-name-x': 1-15 of A-Z a-z 0-9 . _ -" },
	{ HEAD PROGS "snapshot a\nsnapshot a\n", "/x/t.scen:9: snapshot 'a' is taken twice" },
	{ HEAD PROGS "snapshot a\nsnapshot b\nsnapshot c\nsnapshot d\nsnapshot e\n", "/x/t.scen:12: too many snapshots (at most 4)" },
	{ HEAD PROGS RUN "start server\n", "/x/t.scen:13: no action may follow 'end' (only checks)" },
	{ HEAD PROGS "start server\nstart client\n" CHECK, "/x/t.scen:10: no 'end' action: the last action ends the test" },
	{ HEAD PROGS RUN, "/x/t.scen:12: no check: a test must be able to fail" },
	{ HEAD PROGS "start server\nend\n" CHECK, "/x/t.scen:7: program client is never started" },
	{ "test t\ntitle T\nhost c\n", "/x/t.scen:3: no 'shows' line (one sentence: what the test shows)" },
	{ "test t\nshows S\nhost c\n", "/x/t.scen:3: no 'title' line" },
	{ "test t\ntitle T\nshows S\n", "/x/t.scen:3: no host" },
	{ "test t\ntitle T\nshows S\nhost c\nend\n", "/x/t.scen:5: no program" },
	{ HEAD PROGS RUN "check first-fin server\n", "/x/t.scen:13: a check ends with ': what must be seen', in words for a person" },
	{ HEAD PROGS RUN "check first-fin server:   \n", "/x/t.scen:13: the check has no sentence after its ':'" },
	{ HEAD PROGS RUN "check : x\n", "/x/t.scen:13: 'check' wants a kind: check KIND ...: SENTENCE" },
	{ HEAD PROGS RUN "check last-fin server: x\n", "/x/t.scen:13: unknown check 'last-fin' (call, same-port, timewait, tw-timer, state, sends, first-fin, fin-after, fin-gap, established, race, receives, no-state, netstat, dropped, duplicated, reordered, out-of-order, port-state, exit, outcome, output)" },
	{ HEAD PROGS RUN "check port-state client connect 2 TIME_WAIT: x\n", "/x/t.scen:13: 'connect': port-state judges a bind (the call that names a local port)" },
	{ HEAD PROGS RUN "check port-state client bind two TIME_WAIT: x\n", "/x/t.scen:13: 'two' is not a number from 1 to 100000" },
	{ HEAD PROGS RUN "check port-state client bind 2: x\n", "/x/t.scen:13: 'port-state' wants a TCP state, or free" },
	{ HEAD PROGS RUN "check port-state client bind 2 LISTEN: x\n", "/x/t.scen:13: 'LISTEN' is not the state of a connection's socket (TIME_WAIT, FIN_WAIT1, ESTABLISHED...) nor 'free'" },
	{ HEAD PROGS RUN "check port-state client bind 2 CLOSED: x\n", "/x/t.scen:13: 'CLOSED' is not the state of a connection's socket (TIME_WAIT, FIN_WAIT1, ESTABLISHED...) nor 'free'" },
	{ HEAD PROGS RUN "check port-state nobody bind 2 TIME_WAIT: x\n", "/x/t.scen:13: no program 'nobody' declared above" },
	{ HEAD PROGS RUN "check port-state client bind 2 TIME_WAIT now: x\n", "/x/t.scen:13: unexpected 'now' at the end of the check" },
	{ HEAD PROGS RUN "check first-fin nohost: x\n", "/x/t.scen:13: no host 'nohost' declared above" },
	{ HEAD PROGS RUN "check first-fin: x\n", "/x/t.scen:13: 'first-fin' wants a host" },
	{ HEAD PROGS RUN "check first-fin server extra: x\n", "/x/t.scen:13: unexpected 'extra' at the end of the check" },
	{ HEAD PROGS RUN "check call nobody bind 1 ok: x\n", "/x/t.scen:13: no program 'nobody' declared above" },
	{ HEAD PROGS RUN "check call client bnid 1 ok: x\n", "/x/t.scen:13: 'bnid' is not a step the programs log (docs/formats.md)" },
	{ HEAD PROGS RUN "check call client bind one ok: x\n", "/x/t.scen:13: 'one' is not a number from 1 to 100000" },
	{ HEAD PROGS RUN "check call client bind 1 works: x\n", "/x/t.scen:13: 'works': a call is 'ok' or 'fails [ERRNO]'" },
	{ HEAD PROGS RUN "check call client bind 1 fails EBOGUS: x\n", "/x/t.scen:13: 'EBOGUS' is not an errno name (EADDRINUSE, ECONNRESET...)" },
	{ HEAD PROGS RUN "check call client bind 1: x\n", "/x/t.scen:13: 'call' wants ok or fails" },
	{ HEAD PROGS RUN "check timewait server >= 1: x\n", "/x/t.scen:13: 'timewait' wants the snapshot it reads: at SNAPSHOT" },
	{ HEAD PROGS RUN "check timewait server at later >= 1: x\n", "/x/t.scen:13: no snapshot 'later' taken above" },
	{ HEAD PROGS RUN "check timewait server at end > 1: x\n", "/x/t.scen:13: '>' is not a comparison: == N or >= N" },
	{ HEAD PROGS RUN "check timewait server at end ==: x\n", "/x/t.scen:13: 'timewait' wants a number after the comparison" },
	{ HEAD PROGS RUN "check tw-timer server at end 60s..55s: x\n", "/x/t.scen:13: the range 60s..55s ends before it starts" },
	{ HEAD PROGS RUN "check tw-timer server at end 55s: x\n", "/x/t.scen:13: '55s' is not a range of durations: LO..HI (0..300ms, 55s..60s)" },
	{ HEAD PROGS RUN "check state server at end OPEN: x\n", "/x/t.scen:13: 'OPEN' is not a TCP state (ESTABLISHED, FIN_WAIT2, CLOSE_WAIT...)" },
	{ HEAD PROGS RUN "check state server at end LISTEN == 1: x\n", "/x/t.scen:13: unexpected '==' (>= N, port P)" },
	{ HEAD PROGS RUN "check state server at end LISTEN port 70000: x\n", "/x/t.scen:13: '70000' is not a number from 1 to 65535" },
	{ HEAD PROGS RUN "check sends client PSH == 0: x\n", "/x/t.scen:13: 'PSH': sends counts FIN, RST, SYN or DATA" },
	{ HEAD PROGS RUN "check fin-after client nothing 0..1s: x\n", "/x/t.scen:13: no action named 'nothing' above (name one with 'as NAME')" },
	{ HEAD PROGS RUN "check fin-gap client client 0..1s: x\n", "/x/t.scen:13: fin-gap compares two different hosts" },
	{ HEAD PROGS RUN "check established client == 2: x\n", "/x/t.scen:13: '==' is not a comparison: >= N" },
	{ "test t\ntitle T\nshows S\nhost a\nhost b\nprogram p on a: timewait server\nstart p\nend\ncheck race: x\n", "/x/t.scen:9: 'race' judges hosts and programs named server and client" },
	{ HEAD "program p on client: /bin/true\nstart p\nwait p close\n", "/x/t.scen:8: program p writes no event log to wait on (only timewait server and client do): wait p exit, or wait HOST listens PORT" },
	{ HEAD "program p on client: /bin/true\nstart p\nwait p exit 1\n", "/x/t.scen:8: unexpected '1' in the action" },
	{ HEAD "program p on client: /bin/true\nwait p exit\n", "/x/t.scen:7: program p is not started above" },
	{ HEAD PROGS "start server\nwait nohost listens 666\n", "/x/t.scen:9: no host 'nohost' declared above (wait HOST listens PORT)" },
	{ HEAD PROGS "start server\nwait server listens\n", "/x/t.scen:9: 'listens' wants a port: wait HOST listens PORT" },
	{ HEAD PROGS "start server\nwait server listens 0\n", "/x/t.scen:9: '0' is not a number from 1 to 65535" },
	{ HEAD PROGS "start server\nwait server listens 666 mark within 0\n", "/x/t.scen:9: 'within 0' waits for nothing" },
	{ HEAD "program p on client: /bin/true\nstart p\nend\ncheck exit p: x\n", "/x/t.scen:9: 'exit' wants a count: == N or >= N" },
	{ HEAD "program p on client: /bin/true\nstart p\nend\ncheck exit p == 256: x\n", "/x/t.scen:9: an exit status is 0 to 255" },
	{ HEAD "program p on client: /bin/true\nstart p\nend\ncheck exit q == 0: x\n", "/x/t.scen:9: no program 'q' declared above" },
	{ HEAD "program p on client: /bin/true\nstart p\nend\ncheck exit p signal: x\n", "/x/t.scen:9: 'exit' wants a signal: INT, TERM, KILL... or its number" },
	{ HEAD "program p on client: /bin/true\nstart p\nend\ncheck exit p signal CTRLC: x\n", "/x/t.scen:9: 'CTRLC' is not a signal (INT, TERM, KILL, SIGINT... or a number)" },
	{ HEAD "program p on client: /bin/true\nstart p\nend\ncheck exit p signal 0: x\n", "/x/t.scen:9: '0' is not a number from 1 to 64" },
	{ HEAD "program p on client: /bin/true\nstart p\nend\ncheck exit p signal INT == 0: x\n", "/x/t.scen:9: unexpected '==' at the end of the check" },
	{ HEAD "program p on client: /bin/true\nstart p\nend\ncheck same-port p: x\n", "/x/t.scen:9: program p writes no event log to check (only timewait server and client do)" },
	/* check output (a program's NAME.log) */
#define PEND "program p on client: /bin/true\nstart p\nend\n"	/* 6-8 */
	{ HEAD PEND "check output p: x\n", "/x/t.scen:9: 'output' wants contains or lacks, then a text" },
	{ HEAD PEND "check output q contains x: x\n", "/x/t.scen:9: no program 'q' declared above" },
	{ HEAD PEND "check output p has x: x\n", "/x/t.scen:9: 'has': output wants contains or lacks, then a text (\"HTTP 200\")" },
	{ HEAD PEND "check output p contains: x\n", "/x/t.scen:9: 'output' wants a text to look for (\"HTTP 200\")" },
	{ HEAD PEND "check output p contains \"\": x\n", "/x/t.scen:9: an empty text is found in any output: write what to look for" },
	{ HEAD PEND "check output p contains \"HTTP 200: x\n", "/x/t.scen:9: a '\"' is not closed" },
	{ HEAD PEND "check output p contains HTTP 200: x\n", "/x/t.scen:9: unexpected '200' at the end of the check" },
	{ HEAD PEND "check output p contains HTTP\"200\": x\n", "/x/t.scen:9: a '\"' inside a word: quote the whole word" },
	{ HEAD PEND "check output p contains \"a\"b: x\n", "/x/t.scen:9: a closing '\"' must end the word" },
	{ HEAD PEND "check output p contains \"\x01\" : x\n", "/x/t.scen:9: control character 0x01 in the line" },
	{ HEAD PEND "check output p contains \""
	    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	    "x\": x\n", "/x/t.scen:9: a text to look for is at most 100 bytes (this one has 101)" },
	{ "test t\ntitle T\nshows S\nhost client\nhost proxy\nhost backend\n"
	    "program lb on proxy: proxy haproxy-httpclose\nstart lb\nend\ncheck output lb contains x: x\n",
	    "/x/t.scen:10: program lb is a proxy: its output is in its folder lb/, not in lb.log" },
#undef PEND
	{ "test a\nhost c\x01\n", "/x/t.scen:2: control character 0x01 in the line" },
	/* drop lines (scendrop.c) */
	{ HEAD "drop client to server\n", "/x/t.scen:6: 'drop' reads: drop from HOST to HOST [flags FLAGS] [after FIN] [nth N] [count K]" },
	{ HEAD "drop from client to nobody\n", "/x/t.scen:6: no host 'nobody' declared above" },
	{ HEAD "drop from client to client\n", "/x/t.scen:6: a drop is between two different hosts" },
	{ HEAD "drop from client to server flags AX\n", "/x/t.scen:6: bad flags 'AX': letters of F S R P A U E C (the exact set: A is a bare ACK, FA a FIN with its ACK), or any" },
	{ HEAD "drop from client to server after SYN\n", "/x/t.scen:6: 'after SYN': a drop counts from the start or 'after FIN' (the sender received the receiver's FIN)" },
	{ HEAD "drop from client to server nth 0\n", "/x/t.scen:6: '0' is not a number from 1 to 16" },
	{ HEAD "drop from client to server nth 16 count 2\n", "/x/t.scen:6: nth + count is at most 17 (the rules count segments one by one)" },
	{ HEAD "drop from client to server flags A flags FA\n", "/x/t.scen:6: unexpected 'flags' in the drop (flags, after, nth, count, each once)" },
	{ HEAD "drop from client to server nth\n", "/x/t.scen:6: 'nth' wants a value after it" },
	{ HEAD "drop from client to server\ndrop from client to server\ndrop from client to server\n"
	    "drop from client to server\ndrop from client to server\n", "/x/t.scen:10: too many drops (at most 4)" },
	/* the checks of impaired runs */
	{ HEAD PROGS RUN "check dropped client server == 1: x\n", "/x/t.scen:13: no 'drop from client to server' line above" },
	{ HEAD PROGS RUN "check duplicated client server == 1: x\n", "/x/t.scen:13: no 'link client server' line above" },
	{ HEAD "link client server reorder 5%\n" PROGS RUN "check duplicated client server == 1: x\n", "/x/t.scen:14: the link from client to server has no 'duplicate' above" },
	{ HEAD "link client server duplicate 5% from server\n" PROGS RUN "check duplicated client server == 1: x\n", "/x/t.scen:14: the link from client to server has no 'duplicate' above" },
	{ HEAD "link client server duplicate 5%\n" PROGS RUN "check reordered server client == 1: x\n", "/x/t.scen:14: the link from server to client has no 'reorder' above" },
	{ HEAD "link client server reorder 5%\n" PROGS RUN "check reordered server client 1: x\n", "/x/t.scen:14: '1' is not a comparison: == N or >= N" },
	{ HEAD PROGS RUN "check out-of-order nohost == 1: x\n", "/x/t.scen:13: no host 'nohost' declared above" },
	{ HEAD PROGS RUN "check out-of-order client: x\n", "/x/t.scen:13: 'out-of-order' wants a count: == N or >= N" },
	{ HEAD PROGS RUN "check netstat client TCP-Overflow == 1: x\n", "/x/t.scen:13: 'TCP-Overflow' is not a counter name of /proc/net/netstat (TCPTimeWaitOverflow, TW...)" },
	{ HEAD PROGS RUN "check netstat client TW: x\n", "/x/t.scen:13: 'netstat' wants a count: == N or >= N" },
	{ HEAD PROGS RUN "check receives server ACK >= 1: x\n", "/x/t.scen:13: 'ACK': receives counts FIN, RST, SYN or DATA" },
	{ HEAD PROGS RUN "check no-state server at end LAST_ACK >= 2: x\n", "/x/t.scen:13: 'no-state' takes no count (it wants none at all)" },
};

static void
every_error(void **state)
{
	char err[512];
	size_t i;
	int wrong = 0;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct test_spec *t = parse(bad[i].text, err, sizeof(err));

		if (t != NULL || strcmp(err, bad[i].err) != 0) {
			print_error("case %zu: %s\n  want: %s\n  got:  %s\n", i, bad[i].text, bad[i].err,
			    t ? "(parsed)" : err);
			wrong++;
		}
		scen_free(t);
	}
	assert_int_equal(wrong, 0);
}

/* A proxy program (a shipped template, found beside the scenarios folder
 * of this build) and the checks of one hop, "towards PEER". */
#define PHEAD "test p\ntitle T\nshows S\nhost client\nhost proxy\nhost backend\n"	/* 1-6 */
#define PPROGS "program backend on backend: timewait server -s 8\n"	/* 7 */ \
	"program proxy on proxy: proxy haproxy-httpclose\n"		/* 8 */ \
	"program client on client: timewait client -t proxy -s 10\n"	/* 9 */
#define PRUN "start backend\nstart proxy\nstart client\nwait client close 1\n" \
	"snapshot end settled\nend\n"					/* 10-15 */

static void
proxies_and_hops(void **state)
{
	static const char good[] = PHEAD PPROGS PRUN
	    "check first-fin proxy towards client: a\n"			/* 16 */
	    "check sends proxy RST towards backend >= 1: b\n"
	    "check sends backend FIN towards proxy == 0: c\n"
	    "check timewait proxy towards client at end == 1: d\n"
	    "check state proxy towards backend at end ESTABLISHED >= 2 port 40000: e\n"
	    "check first-fin proxy: f\n"
	    "check timewait proxy at end == 1 full: g\n";
	static const struct {
		const char *text, *err;
	} wrong[] = {
		{ PHEAD "program proxy on proxy: proxy\n",
		  "/x/t.scen:7: a proxy reads: program NAME on HOST: proxy TEMPLATE (haproxy-httpclose, nginx-default...)" },
		{ PHEAD "program proxy on proxy: proxy nginx-default -g x\n",
		  "/x/t.scen:7: a proxy reads: program NAME on HOST: proxy TEMPLATE (haproxy-httpclose, nginx-default...)" },
		{ PHEAD "program proxy on proxy: proxy nginx-defualt\n",
		  "/x/t.scen:7: no proxy template 'nginx-defualt' (nginx-defualt.cfg or .conf beside the scenario, or in the shipped proxies/ folder)" },
		{ PHEAD "program proxy on proxy: proxy ../x\n",
		  "/x/t.scen:7: no proxy template at ../x (a relative path is taken from the scenario's folder)" },
		{ PHEAD "program proxy on proxy: proxy /etc/passwd\n",
		  "/x/t.scen:7: proxy template '/etc/passwd': its name must start with haproxy-, nginx- or apache- (the proxy that reads it)" },
		{ PHEAD PPROGS "start backend\nstart proxy\nwait proxy listen\n",
		  "/x/t.scen:12: program proxy is a proxy: the lab starts it (ready when it listens) and stops it at the end; it takes no 'wait'" },
		{ PHEAD PPROGS "start backend\nstart proxy\nsigint proxy\n",
		  "/x/t.scen:12: program proxy is a proxy: the lab starts it (ready when it listens) and stops it at the end; it takes no 'sigint'" },
		{ PHEAD PPROGS PRUN "check call proxy connect 1 ok: x\n",
		  "/x/t.scen:16: program proxy writes no event log to check (only timewait server and client do)" },
		{ PHEAD PPROGS PRUN "check first-fin proxy towards proxy: x\n",
		  "/x/t.scen:16: 'towards' names the host at the other end, not proxy itself" },
		{ PHEAD PPROGS PRUN "check first-fin proxy towards server: x\n",
		  "/x/t.scen:16: no host 'server' declared above" },
		{ PHEAD PPROGS PRUN "check first-fin proxy towards: x\n",
		  "/x/t.scen:16: 'first-fin' wants a host" },
		{ PHEAD PPROGS PRUN "check sends proxy towards backend RST == 1: x\n",
		  "/x/t.scen:16: 'towards': sends counts FIN, RST, SYN or DATA" },
		{ PHEAD PPROGS PRUN "check timewait proxy towards client == 1: x\n",
		  "/x/t.scen:16: 'timewait' wants the snapshot it reads: at SNAPSHOT" },
		{ PHEAD PPROGS PRUN "check fin-after proxy towards client x 0..1s: x\n",
		  "/x/t.scen:16: no action named 'towards' above (name one with 'as NAME')" },
	};
	const struct check_spec *c;
	struct test_spec *t;
	char err[512];
	size_t i;
	int bad = 0;

	(void)state;
	t = parse(good, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(t->procs[1].prog, "proxy");
	assert_string_equal(t->procs[1].cmd, "haproxy-httpclose");
	assert_non_null(strstr(t->procs[1].path, "/proxies/haproxy-httpclose.cfg"));
	assert_true(t->procs[1].path[0] == '/');
	assert_null(t->procs[1].args[0]);
	c = t->checks;
	assert_int_equal(c[0].kind, CK_FIRST_FIN_TO);
	assert_string_equal(c[0].who, "proxy");
	assert_string_equal(c[0].peer, "client");
	assert_int_equal(c[1].kind, CK_SENDS_TO);
	assert_true(c[1].flag == 'R' && c[1].n == 1 && c[1].atleast);
	assert_string_equal(c[1].peer, "backend");
	assert_int_equal(c[2].kind, CK_SENDS_TO);
	assert_true(c[2].flag == 'F' && c[2].n == 0 && !c[2].atleast);
	assert_string_equal(c[2].who, "backend");
	assert_int_equal(c[3].kind, CK_TIMEWAIT_TO);
	assert_string_equal(c[3].snap, "end");
	assert_true(c[3].n == 1 && !c[3].atleast);
	assert_int_equal(c[4].kind, CK_STATE_TO);
	assert_string_equal(c[4].state, "ESTABLISHED");
	assert_true(c[4].n == 2 && c[4].port == 40000);
	/* without 'towards', the kinds of every connection, no peer */
	assert_int_equal(c[5].kind, CK_FIRST_FIN);
	assert_null(c[5].peer);
	assert_int_equal(c[6].kind, CK_TIMEWAIT);
	assert_true(c[6].full);
	scen_free(t);

	/* A template that names a host the scenario does not have. */
	t = parse("test p\ntitle T\nshows S\nhost client\nhost proxy\n"
	    "program proxy on proxy: proxy nginx-default\n", err, sizeof(err));
	assert_null(t);
	assert_true(strncmp(err, "/x/t.scen:6: ", 13) == 0);
	assert_non_null(strstr(err, "nginx-default.conf:"));
	assert_non_null(strstr(err, "{backend}"));

	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		t = parse(wrong[i].text, err, sizeof(err));
		if (t != NULL || strcmp(err, wrong[i].err) != 0) {
			print_error("case %zu: %s\n  want: %s\n  got:  %s\n", i, wrong[i].text,
			    wrong[i].err, t ? "(parsed)" : err);
			bad++;
		}
		scen_free(t);
	}
	assert_int_equal(bad, 0);
}

/* Bytes that no text has: a NUL, a line too long, a file too big. */
static void
not_text(void **state)
{
	static const char nul[] = "test a\nho\0st c\n";
	static const char crlf[] = "test a\r\ntitle\tT\r\nshows S\r\nhost c\r\n"
	    "program client on c: timewait client\r\nstart client\r\nend\r\n"
	    "check sends c RST == 0: x\r\n";
	char err[512], *big;
	struct test_spec *t;

	(void)state;
	t = scen_parse(nul, sizeof(nul) - 1, "f", err, sizeof(err));
	assert_null(t);
	assert_string_equal(err, "f:2: a NUL byte: this is not a text file");
	big = malloc(SCEN_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, 'x', SCEN_MAX_BYTES + 1);
	big[SCEN_MAX_BYTES + 1] = '\0';
	t = scen_parse(big, 2000, "f", err, sizeof(err));
	assert_null(t);
	assert_string_equal(err, "f:1: line longer than 1000 characters");
	t = scen_parse(big, SCEN_MAX_BYTES + 1, "f", err, sizeof(err));
	assert_null(t);
	assert_string_equal(err, "f: larger than 256 KiB: not a scenario file");
	free(big);
	/* CRLF lines and tabs are text. */
	t = scen_parse(crlf, sizeof(crlf) - 1, "f", err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(t->title, "T");
	scen_free(t);
}

/* Commands: found in the lab's PATH, run as nobody or as root, waited for
 * by their exit or by a port that listens, judged by their exit status. */
static void
commands(void **state)
{
	static const char text[] =
	    "test cmd\n"
	    "title T\n"
	    "shows S\n"
	    "host client\n"
	    "host server\n"						/* 5 */
	    "program web on server: sh -c \"exec true\"\n"
	    "program curl on client as root: curl -sS -w \"%{{http_code}}\" http://{server}:666/ {dir}\n"
	    "start web\n"
	    "wait server listens 666 within 3s mark\n"
	    "start curl\n"						/* 10 */
	    "wait curl exit within 5s\n"
	    "end\n"
	    "check exit curl == 0: curl succeeds\n"
	    "check exit web >= 1: web fails\n"
	    "check exit web signal INT: a Ctrl+C\n"
	    "check exit web signal SIGKILL: killed\n"
	    "check exit web signal 15: terminated\n";
	struct test_spec *t;
	char err[512];

	(void)state;
	t = parse(text, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(t->procs[0].prog, "exec");
	assert_string_equal(t->procs[0].cmd, "sh");
	assert_true(t->procs[0].path[0] == '/');
	assert_false(t->procs[0].as_root);
	assert_string_equal(t->procs[0].args[0], "-c");
	assert_string_equal(t->procs[0].args[1], "exec true");
	assert_true(t->procs[1].as_root);
	assert_string_equal(t->procs[1].args[2], "%{{http_code}}");
	assert_int_equal(t->actions[1].kind, ACT_WAIT_LISTEN);
	assert_string_equal(t->actions[1].host, "server");
	assert_null(t->actions[1].proc);
	assert_int_equal(t->actions[1].port, 666);
	assert_int_equal(t->actions[1].timeout_ms, 3000);
	assert_true(t->actions[1].mark);
	assert_int_equal(t->actions[3].kind, ACT_WAIT_EXIT);
	assert_string_equal(t->actions[3].proc, "curl");
	assert_int_equal(t->actions[3].timeout_ms, 5000);
	assert_int_equal(t->checks[0].kind, CK_EXIT);
	assert_string_equal(t->checks[0].who, "curl");
	assert_int_equal(t->checks[0].n, 0);
	assert_false(t->checks[0].atleast);
	assert_int_equal(t->checks[1].n, 1);
	assert_true(t->checks[1].atleast);
	assert_int_equal(t->checks[1].sig, 0);
	assert_int_equal(t->checks[2].kind, CK_EXIT);
	assert_int_equal(t->checks[2].sig, SIGINT);
	assert_int_equal(t->checks[3].sig, SIGKILL);
	assert_int_equal(t->checks[4].sig, SIGTERM);
	scen_free(t);
}

/* check output: a quoted text keeps its blanks, its colons and its
 * escaped quote; the sentence starts after the first colon outside it. */
static void
output_checks(void **state)
{
	static const char text[] = HEAD
	    "program curl on client: curl -sS http://{server}:666/\n"	/* 6 */
	    "program server on server: timewait server -s 6\n"		/* 7 */
	    "start server\nstart curl\nwait curl exit\nend\n"	/* 8-11 */
	    "check output curl contains \"HTTP 200\": curl got its page\n"
	    "check output curl lacks \"Content-Type: text/html\": no type: said\n"
	    "check output server contains \"say \\\"hi\\\" \\\\\" full: quoted\n"
	    "check output curl contains 200:x\n";
	struct test_spec *t;
	char err[512];

	(void)state;
	t = parse(text, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_int_equal(t->checks[0].kind, CK_OUTPUT);
	assert_string_equal(t->checks[0].who, "curl");
	assert_string_equal(t->checks[0].text, "HTTP 200");
	assert_int_equal(t->checks[0].n, 1);
	assert_string_equal(t->checks[0].what, "curl got its page");
	assert_string_equal(t->checks[1].text, "Content-Type: text/html");
	assert_int_equal(t->checks[1].n, 0);
	assert_string_equal(t->checks[1].what, "no type: said");
	assert_string_equal(t->checks[2].who, "server");
	assert_string_equal(t->checks[2].text, "say \"hi\" \\");
	assert_true(t->checks[2].full);
	assert_string_equal(t->checks[3].text, "200");
	assert_string_equal(t->checks[3].what, "x");
	scen_free(t);
}

static void
files(void **state)
{
	char dir[] = "/tmp/tw-test-scen-XXXXXX", path[256], err[512];
	struct test_spec *t;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mine.scen", dir);
	assert_null(scen_load(path, err, sizeof(err)));
	snprintf(path, sizeof(path), "%s/mine.scen: No such file or directory", dir);
	assert_string_equal(err, path);
	snprintf(path, sizeof(path), "%s/mine.scen", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(full, f);
	fclose(f);
	t = scen_load(path, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(t->dir, dir);
	scen_free(t);
	assert_null(scen_load(dir, err, sizeof(err)));
	unlink(path);
	rmdir(dir);
}

static void
names(void **state)
{
	(void)state;
	assert_true(scen_valid_name("003-linger0"));
	assert_true(scen_valid_name("A.b_c-1"));
	assert_false(scen_valid_name(""));
	assert_false(scen_valid_name("-x"));
	assert_false(scen_valid_name(".x"));
	assert_false(scen_valid_name("a/b"));
	assert_false(scen_valid_name("a b"));
	assert_true(scen_valid_host("server2"));
	assert_false(scen_valid_host("sw"));
	assert_false(scen_valid_host("Server"));
	assert_false(scen_valid_host("thirteenchars"));
}

static const char *
addr_of(void *ctx, const char *host, int v6)
{
	(void)ctx;
	if (strcmp(host, "server") == 0)
		return v6 ? "fd00::3" : "10.0.0.3";
	return NULL;
}

static void
expand(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(scen_expand("{server}:666", addr_of, NULL, "/d", "/r", out, sizeof(out)), 0);
	assert_string_equal(out, "10.0.0.3:666");
	assert_int_equal(scen_expand("[{server-v6}]", addr_of, NULL, "/d", "/r", out, sizeof(out)), 0);
	assert_string_equal(out, "[fd00::3]");
	assert_int_equal(scen_expand("{dir}/a {run}/b {{x}}", addr_of, NULL, "/d", "/r", out, sizeof(out)), 0);
	assert_string_equal(out, "/d/a /r/b {x}");
	assert_int_equal(scen_expand("{client}", addr_of, NULL, "/d", "/r", out, sizeof(out)), -1);
	assert_int_equal(scen_expand("{server}{server}{server}", addr_of, NULL, "/d", "/r", out, 12), -1);
}

/* A drop line's words become its struct: the flag bits as on the wire. */
static void
drops_parse(void **state)
{
	char err[512];
	struct test_spec *t = parse(HEAD "drop from client to server flags A after FIN\n"
	    "drop from server to client flags FA nth 2 count 3\n"
	    "drop from server to client\n" PROGS RUN
	    "check dropped client server == 1: x\n"
	    "check netstat client TCPTimeWaitOverflow >= 2: y\n", err, sizeof(err));

	(void)state;
	if (t == NULL)
		fail_msg("%s", err);
	assert_string_equal(t->drops[0].from, "client");
	assert_string_equal(t->drops[0].to, "server");
	assert_int_equal(t->drops[0].flags, 0x10);
	assert_true(t->drops[0].after_fin);
	assert_int_equal(t->drops[0].nth, 1);
	assert_int_equal(t->drops[0].count, 1);
	assert_int_equal(t->drops[1].flags, 0x11);
	assert_false(t->drops[1].after_fin);
	assert_int_equal(t->drops[1].nth, 2);
	assert_int_equal(t->drops[1].count, 3);
	assert_int_equal(t->drops[2].flags, 0);
	assert_null(t->drops[3].from);
	assert_int_equal(t->checks[0].kind, CK_DROPPED);
	assert_string_equal(t->checks[0].peer, "server");
	assert_int_equal(t->checks[1].kind, CK_NETSTAT);
	assert_string_equal(t->checks[1].state, "TCPTimeWaitOverflow");
	assert_true(t->checks[1].atleast);
	assert_int_equal(t->checks[1].n, 2);
	scen_free(t);

	/* link delays: both ways, or one with from */
	t = parse("test t\ntitle T\nshows S\nhost client\nhost server\nhost b\n"
	    "link client server delay 10ms jitter 1ms loss 5%\n"
	    "link server b delay 2ms from b\n" PROGS RUN CHECK, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_int_equal(t->links[0].delay_ms[0], 10);
	assert_int_equal(t->links[0].delay_ms[1], 10);
	assert_int_equal(t->links[0].jitter_ms[1], 1);
	assert_int_equal(t->links[0].loss_pct[0], 5);
	assert_int_equal(t->links[1].delay_ms[0], 0);	/* server to b */
	assert_int_equal(t->links[1].delay_ms[1], 2);	/* b to server */
	scen_free(t);

	/* rate, duplication, reordering: with the others, one way or both */
	t = parse("test t\ntitle T\nshows S\nhost client\nhost server\nhost b\n"
	    "link client server rate 1mbit duplicate 10% from server\n"
	    "link server b reorder 100% rate 8kbit delay 1ms\n" PROGS RUN
	    "check duplicated server client == 2: x\n"
	    "check reordered b server >= 1: y\n"
	    "check out-of-order client == 0: z\n", err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_true(t->links[0].rate_bps[0] == 0);
	assert_true(t->links[0].rate_bps[1] == 1000000);
	assert_int_equal(t->links[0].dup_pct[1], 10);
	assert_int_equal(t->links[0].dup_pct[0], 0);
	assert_int_equal(t->links[0].reorder_pct[1], 0);
	assert_true(t->links[1].rate_bps[0] == 8000 && t->links[1].rate_bps[1] == 8000);
	assert_int_equal(t->links[1].reorder_pct[0], 100);
	assert_int_equal(t->links[1].reorder_pct[1], 100);
	assert_int_equal(t->links[1].delay_ms[1], 1);
	assert_int_equal(t->checks[0].kind, CK_DUPLICATED);
	assert_string_equal(t->checks[0].who, "server");
	assert_string_equal(t->checks[0].peer, "client");
	assert_int_equal(t->checks[0].n, 2);
	assert_int_equal(t->checks[1].kind, CK_REORDERED);
	assert_true(t->checks[1].atleast);
	assert_int_equal(t->checks[2].kind, CK_OUT_OF_ORDER);
	assert_int_equal(t->checks[2].n, 0);
	scen_free(t);
	/* a second line for the other direction */
	t = parse("test t\ntitle T\nshows S\nhost client\nhost server\n"
	    "link client server rate 10gbit delay 20ms reorder 5% from server\n"
	    "link server client delay 30ms from client\n" PROGS RUN CHECK, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_null(t->links[1].a);
	assert_true(t->links[0].rate_bps[1] == 10000000000ULL);
	assert_true(t->links[0].rate_bps[0] == 0);
	assert_int_equal(t->links[0].delay_ms[0], 30);
	assert_int_equal(t->links[0].delay_ms[1], 20);
	assert_int_equal(t->links[0].reorder_pct[1], 5);
	assert_int_equal(t->links[0].reorder_pct[0], 0);
	scen_free(t);
}

/* call ... took LO..HI: how long a call took (linger-timeout); rst is a step. */
static void
call_took(void **state)
{
	char err[512];
	struct test_spec *t = parse(HEAD PROGS RUN
	    "check call client close 1 ok took 950ms..2500ms: close waits\n"
	    "check call client connect 1 fails took 1..2s: fails slowly\n"
	    "check call client bind 2 fails EADDRINUSE took 0..5ms full: at once\n"
	    "check call server rst 1 ok: the forged RST\n", err, sizeof(err));
	const struct check_spec *c;

	(void)state;
	if (t == NULL)
		fail_msg("%s", err);
	c = t->checks;
	assert_int_equal(c[0].kind, CK_CALL);
	assert_true(c[0].took);
	assert_int_equal(c[0].lo, 950);
	assert_int_equal(c[0].hi, 2500);
	assert_int_equal(c[1].kind, CK_CALL_FAILS);
	assert_true(c[1].took);
	assert_int_equal(c[1].lo, 1000);
	assert_int_equal(c[1].hi, 2000);
	assert_int_equal(c[2].kind, CK_CALL);
	assert_int_equal(c[2].err, 98);
	assert_true(c[2].took);
	assert_int_equal(c[2].hi, 5);
	assert_true(c[2].full);
	assert_false(c[3].took);
	assert_string_equal(c[3].step, "rst");
	scen_free(t);

	t = parse(HEAD PROGS RUN "check call client close 1 ok took: x\n", err, sizeof(err));
	assert_null(t);
	assert_string_equal(err, "/x/t.scen:13: 'call' wants a range of durations: LO..HI");
	t = parse(HEAD PROGS RUN "check call client close 1 ok took 2s..1s: x\n", err, sizeof(err));
	assert_null(t);
	assert_string_equal(err, "/x/t.scen:13: the range 2s..1s ends before it starts");
	t = parse(HEAD PROGS RUN "check call client close 1 ok took 1s..2s extra: x\n", err,
	    sizeof(err));
	assert_null(t);
	assert_string_equal(err, "/x/t.scen:13: unexpected 'extra' at the end of the check");
}

static void
command_line_knobs(void **state)
{
	struct test_spec *t;
	char err[512];

	(void)state;
	t = parse(full, err, sizeof(err));
	assert_non_null(t);
	/* Over the file's own value, then a new one. */
	assert_int_equal(scen_add_sysctl(t, "client:net.ipv4.tcp_fin_timeout=9", err, sizeof(err)), 0);
	assert_string_equal(t->sysctls[0].value, "9");
	assert_int_equal(t->sysctls[0].line, 0);
	assert_int_equal(scen_add_sysctl(t, "server:net.ipv4.tcp_rfc1337=1", err, sizeof(err)), 0);
	assert_string_equal(t->sysctls[2].key, "net.ipv4.tcp_rfc1337");
	assert_null(t->sysctls[3].key);
	assert_int_equal(scen_add_sysctl(t, "nohost:net.ipv4.x=1", err, sizeof(err)), -1);
	assert_string_equal(err, "--sysctl nohost:net.ipv4.x=1: test my-test.1 has no host 'nohost'");
	assert_int_equal(scen_add_sysctl(t, "client:vm.swappiness=1", err, sizeof(err)), -1);
	assert_string_equal(err, "--sysctl client:vm.swappiness=1: 'vm.swappiness' is not a network sysctl name (net.PART.PART...)");
	assert_int_equal(scen_add_sysctl(t, "client=1", err, sizeof(err)), -1);
	assert_int_equal(scen_add_sysctl(t, "client:net.ipv4.x=", err, sizeof(err)), -1);
	scen_free(t);
	assert_true(knobs_same("32768\t60999\n", "32768 60999"));
	assert_true(knobs_same("5", "05"));
	assert_false(knobs_same("5", "6"));
	assert_false(knobs_same("1 2", "1"));
}

/* The two test properties the runner reads instead of test ids. */
static void
properties(void **state)
{
	struct test_spec *t;
	char err[512];

	(void)state;
	t = parse(HEAD "repeat in-one-lab\nmin-time-scale 0.04: the delayed ACK\n" PROGS RUN CHECK,
	    err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_true(t->repeat_in_one_lab);
	assert_true(t->min_scale > 0.0399 && t->min_scale < 0.0401);
	assert_string_equal(t->min_scale_why, "the delayed ACK");
	scen_free(t);
	t = parse(HEAD PROGS RUN CHECK, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_false(t->repeat_in_one_lab);
	assert_true(t->min_scale == 0);
	assert_null(t->min_scale_why);
	scen_free(t);
}

/* port-state: a bind's port held in a state, or free; --next-on-enter passes. */
static void
port_state_parse(void **state)
{
	char err[512];
	struct test_spec *t = parse(HEAD PROGS RUN
	    "check port-state client bind 2 TIME_WAIT: x\n"
	    "check port-state client bind 1 free full: y\n", err, sizeof(err));

	(void)state;
	if (t == NULL)
		fail_msg("%s", err);
	assert_int_equal(t->checks[0].kind, CK_PORT_STATE);
	assert_string_equal(t->checks[0].who, "client");
	assert_string_equal(t->checks[0].step, "bind");
	assert_int_equal(t->checks[0].req, 2);
	assert_string_equal(t->checks[0].state, "TIME_WAIT");
	assert_int_equal(t->checks[1].kind, CK_PORT_STATE);
	assert_null(t->checks[1].state);
	assert_true(t->checks[1].full);
	scen_free(t);
}

/* vary link A B delay ...: a variant per delay, each a race series of
 * `repeat in-one-lab runs N` runs; outcome checks count one variant's. */
#define VHEAD HEAD "repeat in-one-lab runs 40\n"			/* 6 */
#define VPROGS "program server on server: timewait server -s 1\n"	/* 8 */ \
	"program client on client: timewait client -t server -s 7\n"	/* 9 */
#define VRUN "start server\nstart client\nwait client close 1\nsnapshot end settled\nend\n"	/* 10-14 */

static void
variants(void **state)
{
	static const char good[] = VHEAD "vary link client server delay 0ms 1ms 10ms 1.5s\n" VPROGS VRUN
	    "check race: any outcome\n"					/* 15 */
	    "check outcome client_time_wait with delay 10ms <= 2%: a\n"
	    "check outcome both_time_wait with delay 1ms >= 3: b\n"
	    "check outcome rst with delay 0 == 0: c\n";
	static const struct {
		const char *text, *err;
	} wrong[] = {
		{ VHEAD "vary\n", "/x/t.scen:7: 'vary' varies a link's delay: vary link HOST HOST delay D D..." },
		{ VHEAD "vary link client\n", "/x/t.scen:7: 'vary link' wants two hosts: vary link HOST HOST delay D D..." },
		{ VHEAD "vary link client proxy delay 1ms\n", "/x/t.scen:7: no host 'proxy' declared above" },
		{ VHEAD "vary link client client delay 1ms\n", "/x/t.scen:7: a link joins two different hosts" },
		{ VHEAD "vary link client server jitter 1ms\n", "/x/t.scen:7: 'vary link client server' wants what varies: delay D D..." },
		{ VHEAD "vary link client server delay\n", "/x/t.scen:7: 'vary link ... delay' wants the delays, one per variant: 0ms 1ms 10ms" },
		{ VHEAD "vary link client server delay 1ms 2ms 3ms 4ms 5ms 6ms 7ms\n", "/x/t.scen:7: too many variants (at most 6)" },
		{ VHEAD "vary link client server delay 1ms 1ms\n", "/x/t.scen:7: the delay 1ms is listed twice" },
		{ VHEAD "vary link client server delay 1ms 0.001s\n", "/x/t.scen:7: the delay 0.001s is listed twice" },
		{ VHEAD "vary link client server delay 11s\n", "/x/t.scen:7: a delay of at most 10 s" },
		{ VHEAD "vary link client server delay 10\n", "/x/t.scen:7: '10' is not a duration: whole milliseconds up to an hour, with a unit (300ms, 13s, 1.5s)" },
		{ VHEAD "vary link client server delay 1ms\nvary link client server delay 2ms\n", "/x/t.scen:8: a second 'vary' line (the first is on line 7)" },
		{ HEAD "repeat in-one-lab runs\n", "/x/t.scen:6: 'repeat' takes: repeat in-one-lab [runs N]" },
		{ HEAD "repeat in-one-lab times 4\n", "/x/t.scen:6: 'repeat' takes: repeat in-one-lab [runs N]" },
		{ HEAD "repeat in-one-lab runs 0\n", "/x/t.scen:6: '0' is not a number from 1 to 50000" },
		{ HEAD "vary link client server delay 1ms\n" PROGS RUN CHECK, "/x/t.scen:6: 'vary' runs a race series per variant: it needs 'repeat in-one-lab'" },
		{ VHEAD "vary link client server delay 1ms\n" VPROGS VRUN CHECK, "/x/t.scen:7: a test with 'vary' takes only 'race' and 'outcome' checks (check 1 is neither)" },
		{ VHEAD "link client server delay 5ms jitter 2ms\nvary link server client delay 10ms 1ms\n" VPROGS VRUN "check race: x\n",
		  "/x/t.scen:8: the delay 1ms is below the jitter of link client server (line 7)" },
		{ VHEAD VPROGS VRUN "check outcome rst with delay 1ms == 0: x\n", "/x/t.scen:14: 'outcome' counts the runs of a variant: no 'vary' line above" },
		{ HEAD "vary link client server delay 1ms\n" PROGS RUN "check outcome rst with delay 1ms == 0: x\n", "/x/t.scen:14: 'outcome' counts a race series: no 'repeat in-one-lab' line above" },
		{ VHEAD "vary link client server delay 1ms\n" VPROGS VRUN "check outcome rst: x\n", "/x/t.scen:15: 'outcome' wants: outcome NAME with delay D ==|>=|<= N[%]" },
		{ VHEAD "vary link client server delay 1ms\n" VPROGS VRUN "check outcome lost with delay 1ms == 0: x\n", "/x/t.scen:15: 'lost' is not an outcome of the race (server_time_wait, client_time_wait, both_time_wait, rst, unknown)" },
		{ VHEAD "vary link client server delay 1ms\n" VPROGS VRUN "check outcome rst at delay 1ms == 0: x\n", "/x/t.scen:15: 'outcome rst' wants the variant it counts: with delay D" },
		{ VHEAD "vary link client server delay 1ms\n" VPROGS VRUN "check outcome rst with delay 2ms == 0: x\n", "/x/t.scen:15: no variant with delay 2ms on the 'vary' line (line 7)" },
		{ VHEAD "vary link client server delay 1ms\n" VPROGS VRUN "check outcome rst with delay 1ms < 1: x\n", "/x/t.scen:15: '<' is not a comparison: ==, >= or <=" },
		{ VHEAD "vary link client server delay 1ms\n" VPROGS VRUN "check outcome rst with delay 1ms <= 101%: x\n", "/x/t.scen:15: '101' is not a number from 0 to 100" },
		{ VHEAD "vary link client server delay 1ms\n" VPROGS VRUN "check outcome rst with delay 1ms <= %: x\n", "/x/t.scen:15: '' is not a number from 0 to 100" },
		{ VHEAD "vary link client server delay 1ms\n" VPROGS VRUN "check outcome rst with delay 1ms <= 1 2: x\n", "/x/t.scen:15: unexpected '2' at the end of the check" },
	};
	const struct check_spec *c;
	struct test_spec *t;
	char err[512];
	size_t i;
	int bad = 0;

	(void)state;
	t = parse(good, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_true(t->repeat_in_one_lab);
	assert_int_equal(t->default_runs, 40);
	assert_int_equal(t->vary.n, 4);
	assert_string_equal(t->vary.a, "client");
	assert_string_equal(t->vary.b, "server");
	assert_int_equal(t->vary.line, 7);
	assert_int_equal(t->vary.delay_ms[0], 0);
	assert_int_equal(t->vary.delay_ms[1], 1);
	assert_int_equal(t->vary.delay_ms[2], 10);
	assert_int_equal(t->vary.delay_ms[3], 1500);
	assert_null(t->links[0].a);	/* the variants add their own */
	c = t->checks;
	assert_int_equal(c[0].kind, CK_RACE);
	assert_int_equal(c[1].kind, CK_OUTCOME);
	assert_string_equal(c[1].state, "client_time_wait");
	assert_true(c[1].variant == 2 && c[1].cmp == '<' && c[1].lim == 2 && c[1].percent);
	assert_true(c[2].variant == 1 && c[2].cmp == '>' && c[2].lim == 3 && !c[2].percent);
	assert_string_equal(c[3].state, "rst");
	assert_true(c[3].variant == 0 && c[3].cmp == '=' && c[3].lim == 0);
	scen_free(t);
	/* Without runs: the command line's --repeat alone (default one). */
	t = parse(HEAD "repeat in-one-lab\n" PROGS RUN CHECK, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_int_equal(t->default_runs, 0);
	assert_int_equal(t->vary.n, 0);
	scen_free(t);
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		t = parse(wrong[i].text, err, sizeof(err));
		if (t != NULL || strcmp(err, wrong[i].err) != 0) {
			print_error("case %zu: %s\n  want: %s\n  got:  %s\n", i, wrong[i].text,
			    wrong[i].err, t ? "(parsed)" : err);
			bad++;
		}
		scen_free(t);
	}
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_statement),
		cmocka_unit_test(properties),
		cmocka_unit_test(every_error),
		cmocka_unit_test(proxies_and_hops),
		cmocka_unit_test(not_text),
		cmocka_unit_test(commands),
		cmocka_unit_test(output_checks),
		cmocka_unit_test(files),
		cmocka_unit_test(names),
		cmocka_unit_test(expand),
		cmocka_unit_test(command_line_knobs),
		cmocka_unit_test(drops_parse),
		cmocka_unit_test(call_took),
		cmocka_unit_test(port_state_parse),
		cmocka_unit_test(variants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
