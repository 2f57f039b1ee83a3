/*
 * test_rawrst.c - the forged RST of `timewait server --rst-after-close`:
 * the Internet checksum against RFC 1071's own example and by the rule
 * that a segment summed with its checksum in place sums to zero, the
 * pseudo-headers of both families, the RST's bytes, an IPv4-mapped
 * address made IPv4, and (without privileges) the errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rawrst.h"

static struct sockaddr_in
v4(const char *addr, uint16_t port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, addr, &s.sin_addr), 1);
	return s;
}

static struct sockaddr_in6
v6(const char *addr, uint16_t port)
{
	struct sockaddr_in6 s;

	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	s.sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, addr, &s.sin6_addr), 1);
	return s;
}

/* RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2. */
static void
rfc1071_example(void **state)
{
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(inet_checksum(b, sizeof(b), 0), (uint16_t)~0xddf2);
	/* odd length: the last byte is padded with a zero */
	assert_int_equal(inet_checksum(b, 7, 0), (uint16_t)~(0xddf2 - 0xf7));
	assert_int_equal(inet_checksum(b, 0, 0), 0xffff);
	/* many 0xffff words: carries fold back in */
	{
		uint8_t ones[4096];

		memset(ones, 0xff, sizeof(ones));
		assert_int_equal(inet_checksum(ones, sizeof(ones), 0), 0);
	}
}

/* A RST from 10.0.0.2:666 to 10.0.0.3:40000, seq 0x01020304. */
static void
rst_ipv4(void **state)
{
	struct sockaddr_in src = v4("10.0.0.2", 666), dst = v4("10.0.0.3", 40000);
	uint8_t seg[TCP_HDR_LEN + 4];
	int64_t ps;

	(void)state;
	assert_int_equal(tcp_rst_build(seg, sizeof(seg), (struct sockaddr *)&src,
	    (struct sockaddr *)&dst, 0x01020304u), TCP_HDR_LEN);
	assert_int_equal(seg[0] << 8 | seg[1], 666);
	assert_int_equal(seg[2] << 8 | seg[3], 40000);
	assert_int_equal(seg[4], 1);
	assert_int_equal(seg[7], 4);
	assert_int_equal(seg[8] | seg[9] | seg[10] | seg[11], 0);	/* no ack */
	assert_int_equal(seg[12], 0x50);	/* 5 words */
	assert_int_equal(seg[13], 0x04);	/* RST alone */
	assert_int_equal(seg[14] | seg[15], 0);	/* window 0 */
	/* Summed again with its checksum in place, a segment sums to zero. */
	ps = tcp_pseudo_sum((struct sockaddr *)&src, (struct sockaddr *)&dst, TCP_HDR_LEN);
	assert_true(ps > 0);
	assert_int_equal(inet_checksum(seg, TCP_HDR_LEN, (uint32_t)ps), 0);
	/* The value worked out by hand: pseudo-header 0a00 0002 0a00 0003
	 * 0006 0014, header 029a 9c40 0102 0304 0000 0000 5004 0000 0000 0000:
	 * the 16-bit words sum to 0x10703, folded 0x0704, complemented 0xf8fb. */
	assert_int_equal(seg[16] << 8 | seg[17], 0xf8fb);
	/* too small a buffer, mixed families */
	assert_int_equal(tcp_rst_build(seg, TCP_HDR_LEN - 1, (struct sockaddr *)&src,
	    (struct sockaddr *)&dst, 1), -1);
	{
		struct sockaddr_in6 d6 = v6("fd00::3", 40000);

		assert_int_equal(tcp_rst_build(seg, sizeof(seg), (struct sockaddr *)&src,
		    (struct sockaddr *)&d6, 1), -1);
		assert_true(tcp_pseudo_sum((struct sockaddr *)&src, (struct sockaddr *)&d6, 20) < 0);
	}
}

static void
rst_ipv6(void **state)
{
	struct sockaddr_in6 src = v6("fd00:1::2", 666), dst = v6("fd00:1::3", 40000);
	uint8_t seg[TCP_HDR_LEN];
	int64_t ps;

	(void)state;
	assert_int_equal(tcp_rst_build(seg, sizeof(seg), (struct sockaddr *)&src,
	    (struct sockaddr *)&dst, 0xfffffffeu), TCP_HDR_LEN);
	ps = tcp_pseudo_sum((struct sockaddr *)&src, (struct sockaddr *)&dst, TCP_HDR_LEN);
	assert_int_equal(inet_checksum(seg, TCP_HDR_LEN, (uint32_t)ps), 0);
	/* by hand: fd00+0001+0002 + fd00+0001+0003 + 0014 + 0006, then the
	 * header 029a 9c40 ffff fffe 5004: 0x4e8fc, folded 0xe900, ~ 0x16ff */
	assert_int_equal(seg[16] << 8 | seg[17], 0x16ff);
	/* the pseudo-header differs from IPv4's: another checksum for other addresses */
	{
		struct sockaddr_in6 other = v6("fd00:1::4", 40000);
		uint8_t seg2[TCP_HDR_LEN];

		tcp_rst_build(seg2, sizeof(seg2), (struct sockaddr *)&src,
		    (struct sockaddr *)&other, 0xfffffffeu);
		assert_memory_not_equal(seg + 16, seg2 + 16, 2);
	}
}

static void
unmap(void **state)
{
	struct sockaddr_in6 m = v6("::ffff:10.1.2.3", 666), plain = v6("fd00::1", 7);
	struct sockaddr_storage in, out;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out;
	char buf[INET_ADDRSTRLEN];

	(void)state;
	memset(&in, 0, sizeof(in));
	memcpy(&in, &m, sizeof(m));
	sockaddr_unmap(&in, &out);
	assert_int_equal(out.ss_family, AF_INET);
	assert_int_equal(ntohs(s4->sin_port), 666);
	assert_string_equal(inet_ntop(AF_INET, &s4->sin_addr, buf, sizeof(buf)), "10.1.2.3");
	memset(&in, 0, sizeof(in));
	memcpy(&in, &plain, sizeof(plain));
	sockaddr_unmap(&in, &out);
	assert_int_equal(out.ss_family, AF_INET6);
	assert_memory_equal(&in, &out, sizeof(in));
}

/* Not a TCP socket, or no right: the errors come back, nothing crashes. */
static void
errors(void **state)
{
	uint32_t seq = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(tcp_next_seq(fd, &seq), -1);
	close(fd);
	assert_int_equal(tcp_next_seq(-1, &seq), -1);
	assert_int_equal(errno, EBADF);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc1071_example),
		cmocka_unit_test(rst_ipv4),
		cmocka_unit_test(rst_ipv6),
		cmocka_unit_test(unmap),
		cmocka_unit_test(errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
