/*
 * fuzz_proxylog.c - libFuzzer target: a proxy's own log lines, through
 * proxy_log_parse (src/proxy/logline.c), the reader the run model uses on
 * a run folder's proxy logs (access.log, stdout.log, error.log). Each line
 * of the input is read as each kind's; what a taken line says must hold
 * together: a time, fields cut to their size, no control character.
 * Built by 'make fuzz'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct proxy_logline *l)
{
	if (l->t_ns <= 0 || l->t_prec_ns <= 0 || l->t_ns > INT64_MAX / 2)
		abort();
	if (l->dur_ns >= 0 && l->dur_prec_ns <= 0)
		abort();
	if (strlen(l->client) >= sizeof(l->client) || strlen(l->req) >= sizeof(l->req) ||
	    strlen(l->msg) >= sizeof(l->msg) || strlen(l->cid) >= sizeof(l->cid))
		abort();
	for (const char *c = l->req; *c; c++)
		if ((unsigned char)*c < ' ')
			abort();	/* control characters never reach a drawing */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[4096];
	struct proxy_logline l;
	size_t i = 0;

	while (i < size) {
		size_t n = 0;

		while (i < size && data[i] != '\n' && n < sizeof(line) - 1)
			line[n++] = (char)data[i++];
		line[n] = 0;
		while (i < size && data[i] != '\n')
			i++;
		i++;
		for (int k = PROXY_HAPROXY; k <= PROXY_APACHE; k++)
			if (proxy_log_parse(k, line, &l) == 1)
				check(&l);
	}
	return 0;
}
