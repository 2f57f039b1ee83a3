#!/bin/sh
# apache-default: Apache httpd's mod_proxy_http with its defaults; client 8
# (Connection: close) and server 8 (answers keep-alive, keeps its socket).
# httpd closes the client's connection (first FIN there, TIME_WAIT on the
# proxy towards the client) and, unlike nginx's default, keeps the backend's
# connection open for reuse (mod_proxy pools backend connections unless
# told "SetEnv proxy-nokeepalive 1"): nothing closes on the backend hop.
. "$(dirname "$0")/proxy_lib.sh"

proxy_run apache-default 8 8
expect_hop client-proxy proxy none
expect_hop proxy-backend none none
expect_tw proxy client 1
expect_tw_total 1
expect_open proxy backend 1
expect_open backend proxy 1
expect_log 'status=200 .*req="GET / HTTP/1.1"'
echo "ok: apache-default"
