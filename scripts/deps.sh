#!/bin/sh
# Install the Debian packages timewait needs, only those that are missing.
# Used by `make run`, `make check` and `make bench`; safe to run again.
set -eu
pkgs="make gcc pkg-config curl prometheus iproute2 libpcap-dev libnl-3-dev libnl-route-3-dev
libnl-idiag-3-dev libtracefs-dev libtraceevent-dev libjansson-dev libcmocka-dev
tshark tcpdump nginx wrk libxml2-utils python3 chromium jq valgrind"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run 'make deps' as root (or apt-get install them) first" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# nginx starts itself on install in some images; the benchmarks start their own.
if command -v systemctl >/dev/null 2>&1; then systemctl stop nginx >/dev/null 2>&1 || true; fi
pkill -x nginx 2>/dev/null || true
echo "deps: done"
