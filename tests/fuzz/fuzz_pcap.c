/*
 * fuzz_pcap.c - libFuzzer target: the client's capture (libpcap's reader and the TCP decoder).
 * Each input becomes client.pcap of a real run folder, then
 * timeline_load reads the folder (see rundir.h). Built by 'make fuzz'.
 */
#include "rundir.h"

RUNDIR_TARGET("client.pcap")
