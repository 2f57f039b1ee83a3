#!/bin/sh
# haproxy-close: the modern form of the removed option forceclose (HAProxy
# 2.0+ refuses forceclose and names option httpclose instead), set on the
# frontend and the backend; keep-alive asked at both ends (client 10,
# server 8). Same teardown as forceclose had: FIN towards the client (proxy
# TIME_WAIT), RST towards the backend (forceclose's SI_FL_NOLINGER).
. "$(dirname "$0")/proxy_lib.sh"

proxy_run haproxy-close 8 10
expect_hop client-proxy proxy none
expect_hop proxy-backend none proxy
expect_tw proxy client 1
expect_tw_total 1
expect_open proxy backend 0
echo "ok: haproxy-close"
