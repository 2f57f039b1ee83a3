/*
 * rawrst.h - a RST of our own making, for `timewait server
 * --rst-after-close`: TIME_WAIT assassination (RFC 1337) on demand.
 *
 * A TIME_WAIT socket acts on a RST only when its sequence number is the
 * one it expects next (the kernel's tcp_timewait_state_process: seq ==
 * rcv_nxt). That number is the peer's last one plus its FIN: the server
 * reads its own next sequence number (TCP_REPAIR, TCP_QUEUE_SEQ) just
 * before it closes, and its FIN takes one more. The RST goes out of a raw
 * socket on the connection's addresses and ports, with a checksum made
 * here over the pseudo-header of RFC 793 (IPv4) or RFC 8200 (IPv6).
 */
#ifndef TIMEWAIT_RAWRST_H
#define TIMEWAIT_RAWRST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define TCP_HDR_LEN 20

/* The Internet checksum (RFC 1071) of len bytes added to sum, folded and
 * complemented: the value to put in a header. */
uint16_t inet_checksum(const void *data, size_t len, uint32_t sum);

/* The one's-complement sum (not folded) of the TCP pseudo-header of a
 * segment of len bytes from src to dst (both AF_INET or both AF_INET6);
 * -1 for another family or a mix. */
int64_t tcp_pseudo_sum(const struct sockaddr *src, const struct sockaddr *dst,
    size_t len);

/* Writes a bare RST (20 bytes, no option, window 0) from src to dst with
 * sequence number seq, its checksum included; TCP_HDR_LEN or -1. */
int tcp_rst_build(uint8_t *buf, size_t size, const struct sockaddr *src,
    const struct sockaddr *dst, uint32_t seq);

/* An IPv4-mapped IPv6 address becomes the IPv4 one (an IPv6 listener's
 * accepted IPv4 connections); anything else is copied. */
void sockaddr_unmap(const struct sockaddr_storage *in, struct sockaddr_storage *out);

/* The next sequence number connection fd will send (its write_seq: data
 * written and not yet sent counts), read in repair mode, which is left
 * again without a window probe. Needs CAP_NET_ADMIN. 0 or -1 with errno. */
int tcp_next_seq(int fd, uint32_t *seq);

/* Makes seq the initial sequence number of fd, a socket not yet connected:
 * set as the send queue's sequence number in repair mode, which connect()
 * then keeps instead of choosing one. Needs CAP_NET_ADMIN. 0 or -1 with
 * errno. */
int tcp_set_isn(int fd, uint32_t seq);

/* Sends the RST from a raw socket bound to src. The bytes sent, or -1
 * with errno (EPERM without CAP_NET_RAW). */
int tcp_rst_send(const struct sockaddr_storage *src, const struct sockaddr_storage *dst,
    uint32_t seq);

#endif
