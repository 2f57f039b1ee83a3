#!/bin/sh
# Install the Debian packages timewait needs, only those that are missing.
# Used by `make run`, `make check` and `make bench`; safe to run again.
#
# It never stops a process it did not start: a package whose install
# starts a service (Debian's nginx does) has that service stopped again,
# by its unit, only if it was not running before this install, so the
# machine's own nginx (or any other) keeps running as it was.
set -eu
pkgs="make gcc pkg-config curl prometheus iproute2 libpcap-dev libmnl-dev libtracefs-dev
libtraceevent-dev libjansson-dev libcmocka-dev tshark tcpdump nginx wrk
libxml2-utils python3 chromium jq valgrind nftables iptables haproxy apache2
apache2-utils clang"
# Packages that start a service of their own on install: "package:unit".
services="nginx:nginx.service haproxy:haproxy.service apache2:apache2.service
prometheus:prometheus.service"
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
have_systemd() { command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; }
# Is the service running? By systemd, or else by its init script.
running() { # unit
	if have_systemd; then
		systemctl is-active --quiet "$1"
	else
		[ -x "/etc/init.d/${1%.service}" ] && service "${1%.service}" status >/dev/null 2>&1
	fi
}
# The units this install may start that are not running now.
may_start=""
for s in $services; do
	p=${s%%:*} unit=${s#*:}
	case " $missing " in *" $p "*) ;; *) continue ;; esac
	running "$unit" && continue	# somebody's running service: not ours to stop
	may_start="$may_start $unit"
done
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The benchmarks start their own nginx; stop only a unit this install started.
for unit in $may_start; do
	running "$unit" || continue
	echo "deps: stopping $unit, started by this install"
	if have_systemd; then
		systemctl stop "$unit"
	else
		service "${unit%.service}" stop
	fi >/dev/null 2>&1 || echo "deps: could not stop $unit" >&2
done
echo "deps: done"
