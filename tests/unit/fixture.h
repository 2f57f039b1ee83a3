/*
 * fixture.h - for the unit tests that read a recorded run: a private copy
 * of tests/fixtures/run-000/000 in /tmp (so what they write lands outside
 * the tree), and its removal. TW_TOP names the source tree (default ".").
 */
#ifndef TIMEWAIT_TEST_FIXTURE_H
#define TIMEWAIT_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy the fixture; dir gets the copy's test folder ("/tmp/tw-test-X/000"). */
static inline int
fixture_copy(char *dir, size_t len)
{
	char cmd[1200], tmpl[] = "/tmp/tw-test-XXXXXX";
	const char *top = getenv("TW_TOP") ? getenv("TW_TOP") : ".";

	if (!mkdtemp(tmpl))
		return -1;
	snprintf(cmd, sizeof(cmd), "cp -r '%s/tests/fixtures/run-000/000' '%s/'", top, tmpl);
	if (system(cmd) != 0)
		return -1;
	snprintf(dir, len, "%s/000", tmpl);
	return 0;
}

/* Remove the copy: the folder above dir, with everything in it. */
static inline int
fixture_remove(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strlen(dir) - 4), dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
