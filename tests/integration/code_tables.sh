#!/bin/sh
# The behaviour codes are listed in three places: the programs' --help
# (made from src/scenario.c), man/timewait.1 (SERVER CODES, CLIENT CODES)
# and docs/scenarios.md (two tables). This test extracts the rows from all
# three and checks that they agree: the same codes in the same order; each
# man page row begins with the --help summary (troff markup aside); each
# docs row names the same delays (5 s, 10 s, 15 s, 200 microseconds, in
# digits or words) and is HTTP, keep-alive or shutdown exactly when the
# summary is. No root needed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/tw-code-tables.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
"$TW" server --help >"$T/server.help" || { echo "FAIL: server --help"; exit 1; }
"$TW" client --help >"$T/client.help" || { echo "FAIL: client --help"; exit 1; }
python3 - "$T" "$top/man/timewait.1" "$top/docs/scenarios.md" <<'PY'
import re, sys
tmp, man, docs = sys.argv[1:4]
bad = []

def help_rows(prog):
    rows, on = [], False
    for line in open(f"{tmp}/{prog}.help"):
        if line.startswith("codes:"):
            on = True
            continue
        if on:
            m = re.match(r"^\s+(\d+)\s+(.*)$", line.rstrip("\n"))
            if not m:
                break
            rows.append((int(m.group(1)), m.group(2)))
    return rows

def man_rows(section):
    text = open(man).read()
    part = text.split(f".SH {section}\n", 1)[1].split("\n.SH ", 1)[0]
    rows = []
    for m in re.finditer(r"^\.TP\n\.B (\d+)\n((?:(?!\.TP\n|\.PP\n).*\n)*)", part, re.M):
        body = []
        for line in m.group(2).splitlines():
            if line.startswith("."):
                # .IR "a" b / .I x / .BR x : the words, not the markup
                words = re.findall(r'"([^"]*)"|(\S+)', line.split(None, 1)[1] if " " in line else "")
                line = "".join(a or b for a, b in words)
            body.append(line)
        rows.append((int(m.group(1)), re.sub(r"\s+", " ", " ".join(body)).replace(" ,", ",").replace(" ;", ";").replace("\\(en", "-").strip()))
    return rows

def docs_rows(title):
    text = open(docs).read()
    part = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [(int(m.group(1)), m.group(2)) for m in re.finditer(r"^\| (\d+) \| (.*) \|$", part, re.M)]

WORDS = {"5": "five", "10": "ten", "15": "fifteen", "200": "200"}
def facts(text):
    t = text.lower()
    f = set()
    for num, word in WORDS.items():
        if re.search(rf"\b{num}\b", t) or re.search(rf"\b{word}\b", t):
            f.add(num)
    for k in ("http", "keep-alive", "shutdown"):
        if k in t:
            f.add(k)
    return f

for prog, msec, dsec in (("server", "SERVER CODES", "Server codes"), ("client", "CLIENT CODES", "Client codes")):
    h, m, d = help_rows(prog), man_rows(msec), docs_rows(dsec)
    if not h:
        bad.append(f"{prog}: no codes in --help")
    if [c for c, _ in h] != [c for c, _ in m]:
        bad.append(f"{prog}: --help codes {[c for c, _ in h]} but man page {[c for c, _ in m]}")
    if [c for c, _ in h] != [c for c, _ in d]:
        bad.append(f"{prog}: --help codes {[c for c, _ in h]} but docs {[c for c, _ in d]}")
    for (c, hs), (_, ms) in zip(h, m):
        if not ms.lower().startswith(hs.lower()):
            bad.append(f"{prog} {c}: man page '{ms}' does not begin with --help's '{hs}'")
    for (c, hs), (_, ds) in zip(h, d):
        want, got = facts(hs), facts(ds)
        if not want <= got or ("http" in got) != ("http" in want):
            bad.append(f"{prog} {c}: docs row names {sorted(got)}, --help {sorted(want)}")
for b in bad:
    print("FAIL:", b)
if bad:
    sys.exit(1)
print("code tables agree: --help, man page, docs/scenarios.md")
PY
