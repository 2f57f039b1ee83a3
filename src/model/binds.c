/*
 * binds.c - stage 5 of the run model: for every bind a program made, the
 * socket of its host that held the same local port at that moment, and
 * its state (test 003: a second bind of port 667 fails because the first
 * connection still holds it; in TIME_WAIT, or still in FIN_WAIT1 when the
 * bind comes right after the close). Read from each side's states, which
 * come from the kernel trace, with its time-wait sockets put back and
 * confirmed by the socket snapshots (states.c, snaps.c).
 */
#include <string.h>

#include "model/work.h"

/* The state entry of side in c at t (the last at or before it), or NULL. */
static const struct tl_state *
entry_at(const struct tl_conn *c, int side, int64_t t)
{
	const struct tl_state *s = NULL;

	for (size_t i = 0; i < c->nstates[side]; i++) {
		if (c->states[side][i].t > t)
			break;
		s = &c->states[side][i];
	}
	return s;
}

void
hold_binds(struct timeline *tl)
{
	for (size_t i = 0; i < tl->nevents; i++) {
		struct tl_event *e = &tl->events[i];
		/* the call's start: the port is looked up then */
		int64_t t = e->t_call ? e->t_call : e->t;

		e->held = 0;
		e->held_conn = -1;
		if (strcmp(e->step, "bind") != 0 || e->lport == 0)
			continue;
		for (size_t k = 0; k < tl->nconns && e->held == 0; k++) {
			const struct tl_conn *c = &tl->conns[k];

			for (int side = 0; side < 2; side++) {
				const struct tl_state *s;

				if (strcmp(c->host[side], e->host) != 0 ||
				    ep_port(side == TL_CLIENT ? c->client : c->server) != e->lport)
					continue;
				s = entry_at(c, side, t);
				if (s == NULL || s->state == TS_CLOSE)
					continue;
				e->held = s->state;
				e->held_seen = s->inferred == 0 || s->confirmed;
				e->held_conn = (int)k;
				break;
			}
		}
	}
}
