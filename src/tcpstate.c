/*
 * tcpstate.c - the one table of TCP state names (see tcpstate.h).
 */
#include <string.h>

#include "tcpstate.h"

static const char *const state_names[TS_COUNT] = {
	[TS_UNKNOWN] = "UNKNOWN",
	[TS_ESTABLISHED] = "ESTABLISHED",
	[TS_SYN_SENT] = "SYN_SENT",
	[TS_SYN_RECV] = "SYN_RECV",
	[TS_FIN_WAIT1] = "FIN_WAIT1",
	[TS_FIN_WAIT2] = "FIN_WAIT2",
	[TS_TIME_WAIT] = "TIME_WAIT",
	[TS_CLOSE] = "CLOSE",
	[TS_CLOSE_WAIT] = "CLOSE_WAIT",
	[TS_LAST_ACK] = "LAST_ACK",
	[TS_LISTEN] = "LISTEN",
	[TS_CLOSING] = "CLOSING",
	[TS_NEW_SYN_RECV] = "NEW_SYN_RECV",
	[TS_BOUND_INACTIVE] = "BOUND_INACTIVE",
};

const char *
tcp_state_name(int state)
{
	if (state <= TS_UNKNOWN || state >= TS_COUNT)
		return state_names[TS_UNKNOWN];
	return state_names[state];
}

enum tcp_st
tcp_state_parse(const char *name)
{
	if (name == NULL)
		return TS_UNKNOWN;
	if (strcmp(name, "CLOSED") == 0)
		return TS_CLOSE;
	for (int s = TS_ESTABLISHED; s < TS_COUNT; s++)
		if (strcmp(name, state_names[s]) == 0)
			return (enum tcp_st)s;
	return TS_UNKNOWN;
}
