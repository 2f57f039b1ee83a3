#!/bin/sh
# nginx-keepalive: proxy_http_version 1.1 and an upstream keepalive pool;
# client 8 (Connection: close) and server 8 (answers keep-alive, keeps its
# socket). nginx closes the client's connection (first FIN there, TIME_WAIT
# on the proxy towards the client) but keeps the backend's open in its pool
# for the next request: no FIN, no RST on the backend hop, no TIME_WAIT
# towards the backend, so no source port is spent per request.
. "$(dirname "$0")/proxy_lib.sh"

proxy_run nginx-keepalive 8 8
expect_hop client-proxy proxy none
expect_hop proxy-backend none none
expect_tw proxy client 1
expect_tw_total 1
expect_open proxy backend 1
expect_open backend proxy 1
expect_log 'status=200 .*req="GET / HTTP/1.1"'
echo "ok: nginx-keepalive"
