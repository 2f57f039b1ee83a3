#!/bin/sh
# haproxy-server-close: option http-server-close, keep-alive asked at both
# ends (client 10, server 8): the client's connection is kept alive (the
# client closes first when it quits, and holds TIME_WAIT), the backend's is
# closed right after the answer, with a RST from the proxy (no TIME_WAIT).
. "$(dirname "$0")/proxy_lib.sh"

proxy_run haproxy-server-close 8 10
expect_hop client-proxy client none
expect_hop proxy-backend none proxy
expect_tw client proxy 1
expect_tw_total 1
expect_open proxy backend 0
echo "ok: haproxy-server-close"
