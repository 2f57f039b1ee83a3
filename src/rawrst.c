/*
 * rawrst.c - a RST of our own making on a connection's addresses (see
 * rawrst.h): the checksum, the segment, the sequence number, the raw send.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include "rawrst.h"

#ifndef TCP_REPAIR
#define TCP_REPAIR		19
#endif
#ifndef TCP_REPAIR_QUEUE
#define TCP_REPAIR_QUEUE	20
#endif
#ifndef TCP_QUEUE_SEQ
#define TCP_QUEUE_SEQ		21
#endif
#ifndef TCP_SEND_QUEUE
#define TCP_SEND_QUEUE		2
#endif
/* Leaves repair mode without the window probe TCP_REPAIR_OFF (0) sends. */
#define REPAIR_OFF_NO_PROBE	(-1)

static uint32_t
sum_bytes(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)p[i] << 8 | p[i + 1];
		if (sum & 0x80000000u)		/* fold early: never overflow */
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;	/* padded with a zero byte */
	return sum;
}

uint16_t
inet_checksum(const void *data, size_t len, uint32_t sum)
{
	sum = sum_bytes(data, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int64_t
tcp_pseudo_sum(const struct sockaddr *src, const struct sockaddr *dst, size_t len)
{
	uint32_t sum = 0;

	if (src->sa_family != dst->sa_family)
		return -1;
	if (src->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)src, *d = (const void *)dst;

		sum = sum_bytes((const uint8_t *)&s->sin_addr, 4, sum);
		sum = sum_bytes((const uint8_t *)&d->sin_addr, 4, sum);
		sum += IPPROTO_TCP;		/* zero, protocol */
		sum += (uint32_t)len;		/* TCP length, 16 bits */
	} else if (src->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)src, *d = (const void *)dst;

		sum = sum_bytes((const uint8_t *)&s->sin6_addr, 16, sum);
		sum = sum_bytes((const uint8_t *)&d->sin6_addr, 16, sum);
		sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);	/* 32-bit length */
		sum += IPPROTO_TCP;		/* three zero bytes, next header */
	} else {
		return -1;
	}
	return sum;
}

static uint16_t
port_of(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)sa)->sin_port;
	return ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port;
}

int
tcp_rst_build(uint8_t *buf, size_t size, const struct sockaddr *src,
    const struct sockaddr *dst, uint32_t seq)
{
	int64_t pseudo = tcp_pseudo_sum(src, dst, TCP_HDR_LEN);
	uint16_t sport = port_of(src), dport = port_of(dst), ck;
	uint32_t nseq = htonl(seq);

	if (pseudo < 0 || size < TCP_HDR_LEN)
		return -1;
	memset(buf, 0, TCP_HDR_LEN);
	memcpy(buf, &sport, 2);		/* both in network order already */
	memcpy(buf + 2, &dport, 2);
	memcpy(buf + 4, &nseq, 4);
	/* acknowledgment number 0: no ACK flag */
	buf[12] = (TCP_HDR_LEN / 4) << 4;	/* data offset: 5 words */
	buf[13] = 0x04;				/* RST */
	/* window 0, checksum 0 while it is summed, urgent pointer 0 */
	ck = inet_checksum(buf, TCP_HDR_LEN, (uint32_t)pseudo);
	buf[16] = (uint8_t)(ck >> 8);
	buf[17] = (uint8_t)ck;
	return TCP_HDR_LEN;
}

void
sockaddr_unmap(const struct sockaddr_storage *in, struct sockaddr_storage *out)
{
	const struct sockaddr_in6 *s6 = (const void *)in;
	struct sockaddr_in *s4 = (void *)out;

	if (in->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		memcpy(out, in, sizeof(*out));
		return;
	}
	memset(out, 0, sizeof(*out));
	s4->sin_family = AF_INET;
	s4->sin_port = s6->sin6_port;
	memcpy(&s4->sin_addr, &s6->sin6_addr.s6_addr[12], 4);
}

/* In repair mode, the send queue's sequence number read into *seq (set 0)
 * or set from it (set 1); repair mode left again, without the window
 * probe, whatever happened. Needs CAP_NET_ADMIN. 0 or -1 with errno. */
static int
queue_seq(int fd, int set, uint32_t *seq)
{
	int on = 1, off = REPAIR_OFF_NO_PROBE, q = TCP_SEND_QUEUE, saved;
	socklen_t len = sizeof(*seq);
	int ret;

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)) == -1)
		return -1;
	ret = setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q));
	if (ret == 0)
		ret = set ? setsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, seq, len) :
		    getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, seq, &len);
	saved = errno;
	/* Out of repair mode whatever happened: a socket closed in it would be
	 * dropped without a FIN. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)) == -1) {
		ret = -1;
		saved = errno;
	}
	errno = saved;
	return ret;
}

int
tcp_next_seq(int fd, uint32_t *seq)
{
	return queue_seq(fd, 0, seq);
}

int
tcp_set_isn(int fd, uint32_t seq)
{
	return queue_seq(fd, 1, &seq);
}

int
tcp_rst_send(const struct sockaddr_storage *src, const struct sockaddr_storage *dst,
    uint32_t seq)
{
	struct sockaddr_storage from, to;
	uint8_t seg[TCP_HDR_LEN];
	socklen_t len;
	ssize_t n;
	int fd, saved;

	if (tcp_rst_build(seg, sizeof(seg), (const struct sockaddr *)src,
	    (const struct sockaddr *)dst, seq) == -1) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	/* A raw socket's address has no port (IPv6 would read one as the
	 * protocol): the ports are in the segment. */
	memcpy(&from, src, sizeof(from));
	memcpy(&to, dst, sizeof(to));
	if (src->ss_family == AF_INET) {
		((struct sockaddr_in *)&from)->sin_port = 0;
		((struct sockaddr_in *)&to)->sin_port = 0;
		len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&from)->sin6_port = 0;
		((struct sockaddr_in6 *)&to)->sin6_port = 0;
		len = sizeof(struct sockaddr_in6);
	}
	fd = socket(src->ss_family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd == -1)
		return -1;
	/* Bound to the connection's own address: the kernel's IP header then
	 * carries the source the checksum was made with. */
	if (bind(fd, (struct sockaddr *)&from, len) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	n = sendto(fd, seg, sizeof(seg), 0, (struct sockaddr *)&to, len);
	saved = errno;
	close(fd);
	errno = saved;
	return (int)n;
}
