#!/bin/sh
# haproxy-tunnel: mode tcp, HAProxy as a plain TCP relay; client 8 (one
# request with Connection: close, closes when the server closes) and
# server 7 (closes right after its answer). Each close is passed on: the
# backend's FIN comes first on the backend hop (the backend holds
# TIME_WAIT), HAProxy then sends its own FIN on the client hop, first there
# (the proxy holds TIME_WAIT towards the client). No RST anywhere: a tunnel
# closes like two ordinary connections, one TIME_WAIT per hop.
. "$(dirname "$0")/proxy_lib.sh"

proxy_run haproxy-tunnel 7 8
expect_hop client-proxy proxy none
expect_hop proxy-backend backend none
expect_tw proxy client 1
expect_tw backend proxy 1
expect_tw_total 2
expect_open proxy backend 0
echo "ok: haproxy-tunnel"
