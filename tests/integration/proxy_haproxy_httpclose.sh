#!/bin/sh
# haproxy-httpclose: option httpclose, with keep-alive asked at both ends
# (client 10, server 8): HAProxy closes both sides after the answer anyway.
# Towards the client with a FIN (the proxy holds TIME_WAIT), towards the
# backend with a RST: the proxy never holds TIME_WAIT towards its backend,
# which is why HAProxy in this mode did not run out of ports in the
# original project (2,512 req/s, as fast as going direct).
. "$(dirname "$0")/proxy_lib.sh"

proxy_run haproxy-httpclose 8 10
expect_hop client-proxy proxy none
expect_hop proxy-backend none proxy
expect_tw proxy client 1
expect_tw_total 1
expect_open proxy backend 0
echo "ok: haproxy-httpclose"
