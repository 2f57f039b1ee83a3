/*
 * tcpstate.h - the TCP states, named once for the whole program.
 *
 * The numbers are the kernel's (include/net/tcp_states.h): sock_diag and
 * the sock:inet_sock_set_state tracepoint report them as they are, so a
 * state read from either is an enum tcp_st without translation.
 */
#ifndef TIMEWAIT_TCPSTATE_H
#define TIMEWAIT_TCPSTATE_H

enum tcp_st {
	TS_UNKNOWN = 0,
	TS_ESTABLISHED = 1,
	TS_SYN_SENT,
	TS_SYN_RECV,
	TS_FIN_WAIT1,
	TS_FIN_WAIT2,
	TS_TIME_WAIT,
	TS_CLOSE,
	TS_CLOSE_WAIT,
	TS_LAST_ACK,
	TS_LISTEN,
	TS_CLOSING,
	TS_NEW_SYN_RECV,
	TS_BOUND_INACTIVE,	/* a sock_diag filter bit only: such sockets say CLOSE */
	TS_COUNT
};

/* "ESTABLISHED", "TIME_WAIT", ...; "UNKNOWN" for anything out of range. */
const char *tcp_state_name(int state);
/* The state of that name (as tcp_state_name writes it, or "CLOSED" for
 * TS_CLOSE), TS_UNKNOWN when none has it. */
enum tcp_st tcp_state_parse(const char *name);

#endif
