#!/bin/sh
# haproxy-keepalive: HAProxy's default mode (HTTP keep-alive on both sides),
# client 8 (one request with Connection: close) and server 6 (answers with
# Connection: close, keeps its socket). Neither end will close: HAProxy
# closes both. Towards the client with a FIN (the proxy holds TIME_WAIT);
# towards the backend with a RST (SO_LINGER 0: no TIME_WAIT anywhere on
# that hop, and the backend, which never closes, sends no FIN at all).
. "$(dirname "$0")/proxy_lib.sh"

proxy_run haproxy-keepalive 6 8
expect_hop client-proxy proxy none
expect_hop proxy-backend none proxy
expect_tw proxy client 1
expect_tw_total 1
expect_open proxy backend 0
expect_log "src=[0-9.]*:[0-9]* upstream=[0-9.]*:666 status=200 "
echo "ok: haproxy-keepalive"
