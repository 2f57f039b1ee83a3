/*
 * table.c - the rows of `timewait watch`: one per destination (source
 * address, remote address and port) or listening service, in a fixed-size
 * open-addressing hash table.
 *
 * Fixed size because the trace thread fills it at up to a hundred thousand
 * events a second: no allocation on that path, and a flood of destinations
 * (a scan) costs a counted 'overflow', never memory without bound.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watch/watch.h"

int
w_table_init(struct w_table *t)
{
	memset(t, 0, sizeof(*t));
	t->rows = calloc(W_TABLE_CAP, sizeof(*t->rows));
	return t->rows ? 0 : -1;
}

void
w_table_free(struct w_table *t)
{
	free(t->rows);
	t->rows = NULL;
}

void
w_table_clear(struct w_table *t)
{
	memset(t->rows, 0, W_TABLE_CAP * sizeof(*t->rows));
	t->n = 0;
	t->overflow = 0;
}

static uint32_t
hash_key(const struct w_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

struct w_row *
w_table_get(struct w_table *t, const struct w_key *k)
{
	uint32_t i = hash_key(k) & (W_TABLE_CAP - 1);

	for (size_t probe = 0; probe < W_TABLE_CAP; probe++) {
		struct w_row *r = &t->rows[i];

		if (!r->used) {
			/* keep a quarter free: probes stay short */
			if (t->n >= W_TABLE_CAP * 3 / 4) {
				t->overflow++;
				return NULL;
			}
			r->used = 1;
			r->key = *k;
			t->n++;
			return r;
		}
		if (!memcmp(&r->key, k, sizeof(*k)))
			return r;
		i = (i + 1) & (W_TABLE_CAP - 1);
	}
	t->overflow++;
	return NULL;
}

static void
addr_text(int family, const uint8_t *a, char *buf, size_t len)
{
	if (!inet_ntop(family, a, buf, len))
		snprintf(buf, len, "?");
}

void
w_key_endpoint(const struct w_key *k, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	addr_text(k->family, k->kind == W_DEST ? k->remote : k->local, a, sizeof(a));
	if (k->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, k->port);
	else
		snprintf(buf, len, "%s:%u", a, k->port);
}

void
w_key_local_addr(const struct w_key *k, char *buf, size_t len)
{
	addr_text(k->family, k->local, buf, len);
}

int
w_parse_endpoint(const char *s, uint8_t *family, uint8_t addr[16],
    uint16_t *port)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	size_t hl;
	long p;
	char *end;

	if (!colon || colon == s)
		return -1;
	hl = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hl < 2 || s[hl - 1] != ']')
			return -1;
		s++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (*end || p < 0 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, host, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, host, addr) == 1)
		*family = AF_INET6;
	else
		return -1;
	return 0;
}
