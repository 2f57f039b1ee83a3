/*
 * skmap.c - which side opened each connection `timewait watch` saw open:
 * the kernel socket address of the trace events (skaddr) to DEST (this host
 * connected) or SERVICE (a listener of this host accepted it).
 *
 * The trace says it once, at the handshake (SYN_SENT or SYN_RECV to
 * ESTABLISHED); the later events of the socket (its FIN, its resets, its
 * close) only have addresses, and a port that merely looks like a
 * listener's is no proof. Entries go at CLOSE. Fixed size, no allocation
 * after start: when full, or for a connection older than watch, the caller
 * falls back to what the ports say.
 */
#include <stdlib.h>
#include <string.h>

#include "watch/watch.h"

#define SKMAP_BUCKETS 65536

struct sk_entry {
	uint64_t sk;
	uint32_t next;		/* index + 1 in the pool; 0 ends the chain */
	uint8_t kind;
};

struct w_skmap {
	uint32_t bucket[SKMAP_BUCKETS];	/* index + 1 of the first entry */
	struct sk_entry pool[W_SKMAP_CAP];
	uint32_t free_head;	/* index + 1 of the first free entry */
	size_t n;
};

struct w_skmap *
w_skmap_new(void)
{
	struct w_skmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	for (uint32_t i = 0; i < W_SKMAP_CAP; i++)
		m->pool[i].next = i + 2 <= W_SKMAP_CAP ? i + 2 : 0;
	m->free_head = 1;
	return m;
}

void
w_skmap_free(struct w_skmap *m)
{
	free(m);
}

static uint32_t
slot(uint64_t sk)
{
	sk ^= sk >> 33;
	sk *= 0xff51afd7ed558ccdULL;
	sk ^= sk >> 33;
	return (uint32_t)(sk & (SKMAP_BUCKETS - 1));
}

void
w_skmap_put(struct w_skmap *m, uint64_t sk, int kind)
{
	uint32_t b = slot(sk), i;

	for (i = m->bucket[b]; i; i = m->pool[i - 1].next)
		if (m->pool[i - 1].sk == sk) {
			m->pool[i - 1].kind = (uint8_t)kind;
			return;
		}
	if (!(i = m->free_head))
		return;		/* full: the ports will say */
	m->free_head = m->pool[i - 1].next;
	m->pool[i - 1].sk = sk;
	m->pool[i - 1].kind = (uint8_t)kind;
	m->pool[i - 1].next = m->bucket[b];
	m->bucket[b] = i;
	m->n++;
}

int
w_skmap_get(const struct w_skmap *m, uint64_t sk)
{
	for (uint32_t i = m->bucket[slot(sk)]; i; i = m->pool[i - 1].next)
		if (m->pool[i - 1].sk == sk)
			return m->pool[i - 1].kind;
	return 0;
}

void
w_skmap_del(struct w_skmap *m, uint64_t sk)
{
	uint32_t b = slot(sk), *link = &m->bucket[b];

	while (*link) {
		struct sk_entry *e = &m->pool[*link - 1];
		uint32_t i = *link;

		if (e->sk == sk) {
			*link = e->next;
			e->next = m->free_head;
			m->free_head = i;
			m->n--;
			return;
		}
		link = &e->next;
	}
}

size_t
w_skmap_count(const struct w_skmap *m)
{
	return m->n;
}

int
w_guess_kind(const uint8_t *listening, int lo, int hi, uint16_t lport,
    uint16_t rport)
{
	if (__atomic_load_n(&listening[lport], __ATOMIC_RELAXED))
		return W_SERVICE;
	/* A fixed local port talking to an ephemeral one: a service whose
	 * listener is gone (restarted, or the TIME_WAIT it left). */
	if ((lport < lo || lport > hi) && rport >= lo && rport <= hi)
		return W_SERVICE;
	return W_DEST;
}
