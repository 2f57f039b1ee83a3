/*
 * fuzz_state.c - libFuzzer target: the state file of a by-hand lab
 * (/run/timewait/<id>.json), through lab_state_parse, the parser and
 * checker that state_load (labkeep.c) runs on a file's text. Each input is
 * parsed twice: as the file of lab "tw-1-1" and with no id expected.
 * Built by 'make fuzz'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab/labkeep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lab_state st;
	char err[512];

	if (lab_state_parse((const char *)data, size, "tw-1-1", &st, err, sizeof(err)) == 0 &&
	    strcmp(st.lab.id, "tw-1-1") != 0)
		abort();	/* the id checked is the id asked for */
	(void)lab_state_parse((const char *)data, size, NULL, &st, err, sizeof(err));
	return 0;
}
