/*
 * test_render.c - the drawings of the fixture run (tests/fixtures/run-000):
 * sequence.svg is well-formed XML (xmllint) with the four lifelines, the
 * packets and the TIME_WAIT; sequence.puml is PlantUML with its
 * participants; sequence.mmd is a Mermaid sequenceDiagram; the text
 * timeline colours its states only when asked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "render/render.h"

static char dir[512];

static int
setup(void **state)
{
	char err[256];

	(void)state;
	if (fixture_copy(dir, sizeof(dir)) == -1)
		return -1;
	if (render_all(dir, 0, err, sizeof(err))) {
		fprintf(stderr, "render_all: %s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return fixture_remove(dir);
}

/* The whole file, malloc'd. */
static char *
slurp(const char *name)
{
	char path[700], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void
test_svg(void **state)
{
	char cmd[700], *s;

	(void)state;
	/* xmllint (libxml2-utils) is a dependency: its absence is a failure. */
	assert_int_equal(system("command -v xmllint >/dev/null 2>&1"), 0);
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s/sequence.svg'", dir);
	assert_int_equal(system(cmd), 0);
	s = slurp("sequence.svg");
	assert_non_null(strstr(s, "<svg"));
	assert_non_null(strstr(s, "client program"));
	assert_non_null(strstr(s, "client kernel"));
	assert_non_null(strstr(s, "server kernel"));
	assert_non_null(strstr(s, "server program"));
	assert_non_null(strstr(s, ">S seq=0<"));
	assert_non_null(strstr(s, "SA seq=0 ack=1"));
	assert_non_null(strstr(s, "TIME_WAIT"));
	assert_non_null(strstr(s, "60 s timer"));
	assert_non_null(strstr(s, "connect() = 0"));
	assert_non_null(strstr(s, "later"));	/* the 60 s gap */
	free(s);
}

static void
test_puml(void **state)
{
	char *s;

	(void)state;
	s = slurp("sequence.puml");
	assert_true(strncmp(s, "@startuml\n", 10) == 0);
	assert_non_null(strstr(s, "@enduml\n"));
	assert_non_null(strstr(s, "participant \"client program"));
	assert_non_null(strstr(s, "participant \"server kernel"));
	assert_non_null(strstr(s, "K0 -[#1f5fbf]> K1 : S seq=0"));
	assert_non_null(strstr(s, "hnote over K1"));
	free(s);
}

static void
test_mermaid(void **state)
{
	char *s;

	(void)state;
	s = slurp("sequence.mmd");
	assert_true(strncmp(s, "sequenceDiagram\n", 16) == 0);
	assert_non_null(strstr(s, "participant K0 as client kernel"));
	assert_non_null(strstr(s, "K0->>K1: S seq=0"));
	assert_non_null(strstr(s, "Note over K1: TIME_WAIT"));
	free(s);
}

static void
test_text(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_int_equal(render_text(dir, f, 0), 0);
	fclose(f);
	assert_non_null(strstr(buf, "[TIME_WAIT*]"));
	assert_null(strstr(buf, "\033["));
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(render_text(dir, f, 1), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\033["));
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_puml),
		cmocka_unit_test(test_mermaid),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
