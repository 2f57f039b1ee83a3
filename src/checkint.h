/*
 * checkint.h - the checks' own pieces: a connection as one host saw it
 * (hview.c), the close race's judge (race.c), the checks of a program's
 * exit and output (checkprog.c), all called by checks.c; none of them
 * calls checks.c.
 */
#ifndef TIMEWAIT_CHECKINT_H
#define TIMEWAIT_CHECKINT_H

#include <stdint.h>

#include "checks.h"

#define NONE INT64_MIN		/* no such time (TL_UNKNOWN) */

/* A connection as one host saw it: its side of the model's connection. */
struct hview {
	const struct tl_conn *c;
	int side;			/* enum tl_side of the host */
	int lport, rport;
	int established;		/* the host saw SYN, SYN-ACK and an ACK */
	int closed;			/* a FIN or RST was seen */
	int64_t t_my_fin, t_peer_fin;	/* first FIN each way, NONE: none */
	uint32_t my_fin_ack;		/* what this host's FIN acknowledged */
	uint32_t peer_fin_seq;		/* the peer's FIN's sequence number + len */
	int rst_mine, rst_peer;
	int64_t t_rst;			/* the first RST either way */
};

/* hview.c: a packet's time on side's host, NONE when its capture did not
 * see it or saw it after until (0: no limit). */
int64_t ck_seen_on(const struct tl_pkt *p, int side, int64_t until);
/* The side of c that host is (enum tl_side), or -1. */
int ck_side_of(const struct tl_conn *c, const char *host);
/* Fills v with c as the host on side saw it up to until (0: no limit);
 * 0, or -1 when that host saw nothing of it. */
int ck_host_view(const struct tl_conn *c, int side, int64_t until, struct hview *v);
/* The index of host name in r->hosts, or -1. */
int ck_host_index(const struct test_rec *r, const char *name);
/* check exit: how program c->who ended (checkprog.c). */
int ck_check_exit(const struct test_rec *r, const struct check_spec *c, char *seen, size_t len);
/* check output: what it wrote to its log (checkprog.c). */
int ck_check_output(const struct test_rec *r, const struct check_spec *c, char *seen,
    size_t len);
/* check race: one of the legitimate outcomes, and the sockets agree. */
int ck_check_race(const struct test_rec *r, char *seen, size_t len);

#endif
