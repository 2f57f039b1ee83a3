/*
 * base.h - the small generic pieces every stage of the run model uses:
 * growable arrays, a string -> index hash map, bounded string copies and
 * "ip:port" endpoints. Kept in one place so no stage writes its own.
 */
#ifndef TIMEWAIT_MODEL_BASE_H
#define TIMEWAIT_MODEL_BASE_H

#include <stddef.h>
#include <stdint.h>

/* Make room for need items of size bytes in *v (capacity *cap). 0 or -1. */
int vec_grow(void **v, size_t *cap, size_t need, size_t size);

/* Append item to arr (n items, capacity cap): 0, or -1 out of memory. */
#define VEC_PUSH(arr, n, cap, item) \
	(vec_grow((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr))) ? -1 : \
	 ((arr)[(n)++] = (item), 0))

/* String keys to indices, open addressing; zero it to start. */
struct strmap {
	char **keys;
	size_t *vals;
	size_t cap, n;
};

uint64_t hash_str(const char *s);		/* FNV-1a */
int strmap_get(const struct strmap *m, const char *key, size_t *val); /* 0 or -1 */
int strmap_put(struct strmap *m, const char *key, size_t val);	/* 0 or -1 */
void strmap_free(struct strmap *m);

/* Copies s into d of size n, cutting it short if it must. */
void scopy(char *d, size_t n, const char *s);

/* "ip:port", "[v6]:port". */
void ep_text(const char *ip, uint16_t port, char *buf, size_t len);
/* The address part of an endpoint into buf. */
void ep_addr(const char *ep, char *buf, size_t len);
/* The port of an endpoint, 0 when it has none. */
int ep_port(const char *ep);

#endif
