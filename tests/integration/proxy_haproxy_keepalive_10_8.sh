#!/bin/sh
# haproxy-keepalive-10-8: HAProxy's default mode with keep-alive at both
# ends: client 10 (Connection: keep-alive, closes when the server closes)
# and server 8 (answers keep-alive, keeps its socket). Nobody closes after
# the answer: the client's connection stays open until the client quits
# (then it sends the first FIN and holds TIME_WAIT), and the backend's stays
# in HAProxy's pool of idle server connections (no FIN, no RST on that hop).
. "$(dirname "$0")/proxy_lib.sh"

proxy_run haproxy-keepalive 8 10
expect_hop client-proxy client none
expect_hop proxy-backend none none
expect_tw client proxy 1
expect_tw_total 1
expect_open proxy backend 1
expect_open backend proxy 1
echo "ok: haproxy-keepalive-10-8"
