/*
 * fuzz_scenario.c - libFuzzer target for the scenario parser
 * (src/scen/scenfile.c): any bytes must end in a test or in one
 * "FILE:LINE: what" message, never in a crash, a leak or a hang.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_scenario.c src/scen/scenfile.c src/scen/scenlex.c \
 *       src/scen/scencheck.c src/tcpstate.c -o fuzz_scenario
 *   ./fuzz_scenario -dict=tests/fuzz/scenario.dict scenarios/
 *
 * What it also asserts: a message starts with the file's name, and a
 * parsed test is whole (an id, a title, at least one host, program,
 * action ending in ACT_END and check), and an output check's text is
 * 1 to CHECK_TEXT_MAX bytes without a newline.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scen/scenfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct test_spec *t;
	char err[1024];
	int i, ended = 0;

	err[0] = '\0';
	t = scen_parse((const char *)data, size, "fuzz.scen", err, sizeof(err));
	if (t == NULL) {
		if (strncmp(err, "fuzz.scen:", 10) != 0)
			abort();
		return 0;
	}
	if (t->id == NULL || t->title == NULL || t->shows == NULL || t->hosts[0] == NULL ||
	    t->procs[0].name == NULL || t->checks[0].kind == 0 || t->checks[0].what == NULL)
		abort();
	for (i = 0; i < CAT_MAX_ACTIONS && t->actions[i].kind != 0; i++)
		ended = t->actions[i].kind == ACT_END;
	if (!ended)
		abort();
	/* check output: a text to find, within its limit, on one line */
	for (i = 0; i < CAT_MAX_CHECKS && t->checks[i].kind != 0; i++)
		if (t->checks[i].kind == CK_OUTPUT && (t->checks[i].text == NULL ||
		    t->checks[i].text[0] == '\0' || strlen(t->checks[i].text) > CHECK_TEXT_MAX ||
		    strchr(t->checks[i].text, '\n') != NULL))
			abort();
	scen_free(t);
	return 0;
}
