#!/bin/sh
# nginx-default: nginx's default upstream (HTTP/1.0 towards the backend, a
# new connection per request); client 8 (Connection: close, closes when the
# server closes) and server 8 (answers keep-alive, keeps its socket). nginx
# closes both connections itself, with a FIN first on each hop: the proxy
# host holds TIME_WAIT on both sides, and the one towards the backend is
# what runs out of source ports under load (the original project: 572 req/s
# and "99: Cannot assign requested address" in nginx's log).
. "$(dirname "$0")/proxy_lib.sh"

proxy_run nginx-default 8 8
expect_hop client-proxy proxy none
expect_hop proxy-backend proxy none
expect_tw proxy client 1
expect_tw proxy backend 1
expect_tw_total 2
expect_open proxy backend 0
expect_log 'status=200 .*req="GET / HTTP/1.1"'
echo "ok: nginx-default"
