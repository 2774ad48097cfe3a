#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_html.sh - the HTML report (replay/render_html.c) in a real browser:
# compare --html and validate --html on a sample, rendered by headless
# Chromium. The screenshot is not blank (distinct colours, ink); the DOM has
# a plot per figure with a line per variant, one map cell per pageblock of
# the node (counted from the trace's zones) in every map, map captions equal
# to the JSON's end figures, the tables, the trace's sha256; and the page
# logs nothing to the console (a page that logs an error is caught, as a
# control). Exit 77 (skipped) only when no chromium is installed
# (tests/setup.sh installs it).
#
# Usage: test_html.sh FRAGREPLAY_BINARY SAMPLE.frt [OUT_DIR]
#   OUT_DIR keeps report.html and report.png (the screenshot) for people.

set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 FRAGREPLAY_BINARY SAMPLE.frt [OUT_DIR]" >&2
	exit 2
fi
FR=$1
SAMPLE=$2
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "$0: no chromium (apt-get install chromium; tests/setup.sh does): skipped" >&2
	exit 77
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/fragreplay-html.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT
OUT=${3:-$W}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd) || exit 2 # file:// wants an absolute path

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); }
fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL: $*"
}
expect_eq() { # WHAT GOT WANT
	if [ "$2" = "$3" ]; then pass; else fail "$1: got '$2', want '$3'"; fi
}

# chromium with a profile of its own, no sandbox (CI runs as root), no GPU
chrome() {
	"$CHROMIUM" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
		--no-first-run --user-data-dir="$W/profile" --virtual-time-budget=5000 "$@"
}

VARIANTS=vanilla,defrag_mode,evacuate
"$FR" compare "$SAMPLE" --variants $VARIANTS --html "$OUT/report.html" --force --json "$W/cmp.json" \
	>"$W/cmp.txt" 2>"$W/cmp.err"
expect_eq "compare --html exit status" $? 0
"$FR" validate "$SAMPLE" --html "$W/validate.html" >/dev/null 2>"$W/val.err"
expect_eq "validate --html exit status" $? 0
"$FR" info --json "$SAMPLE" >"$W/info.json"

# the screenshot: not blank
chrome --window-size=1280,2600 --screenshot="$OUT/report.png" "file://$OUT/report.html" \
	>"$W/shot.log" 2>&1
if [ -s "$OUT/report.png" ]; then pass; else fail "no screenshot ($(tail -c 300 "$W/shot.log"))"; fi
got=$(python3 - "$OUT/report.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, hdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = hdr
assert depth == 8 and ctype in (2, 6) and not interlace, hdr
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, ink = bytearray(stride), set(), 0
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 2:
        continue  # every other row is enough to count
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colours.add(px)
        ink += px != b"\xff\xff\xff"
print(len(colours) >= 40, ink * 2 / (w * h) > 0.05)
PY
)
expect_eq "screenshot: at least 40 distinct colours and more than 5% not white" "$got" "True True"

# the DOM
chrome --enable-logging=stderr --v=0 --dump-dom "file://$OUT/report.html" >"$W/dom.html" \
	2>"$W/dom.log"
chrome --dump-dom "file://$W/validate.html" >"$W/vdom.html" 2>/dev/null
got=$(python3 - "$W/dom.html" "$W/cmp.json" "$W/info.json" "$SAMPLE" "$W/vdom.html" <<'PY'
import hashlib, html.parser, json, re, sys
dom = open(sys.argv[1]).read()
rep = json.load(open(sys.argv[2]))
meta = json.load(open(sys.argv[3]))["metadata"]
sha = hashlib.sha256(open(sys.argv[4], "rb").read()).hexdigest()
vdom = open(sys.argv[5]).read()
nr = len(rep["runs"])

class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__()
        s.svg = None; s.plots = {}; s.maps = {}; s.h2 = []; s.inh2 = False
    def handle_starttag(s, tag, a):
        a = dict(a)
        if tag == "svg":
            s.svg = a.get("id")
            if "plot" in (a.get("class") or "").split():
                s.plots[s.svg] = 0
            if "pbmap" in (a.get("class") or "").split():
                s.maps[s.svg] = [int(a["data-pageblocks"]), 0]
        elif tag == "polyline" and s.svg in s.plots:
            s.plots[s.svg] += 1
        elif tag == "rect" and s.svg in s.maps:
            s.maps[s.svg][1] += 1
        elif tag == "h2":
            s.inh2 = True
    def handle_endtag(s, tag):
        if tag == "svg": s.svg = None
        if tag == "h2": s.inh2 = False
    def handle_data(s, d):
        if s.inh2: s.h2.append(d.strip())
p = P(); p.feed(dom)
out = []
# plots: the nine figures, drawn or listed as 0 throughout, a line per variant in each drawn
zero = re.findall(r'<span class="zero-plot">', dom)
out.append(len(p.plots) + len(zero) == 9 and len(p.plots) >= 4)
out.append(all(n == nr for n in p.plots.values()))
# maps: start once (one start snapshot) and an end per variant; one cell per pageblock
order = meta["pageblock_order"]
zones = [z for z in meta["zones"] if z["spanned"]]
lo = min(z["start_pfn"] for z in zones) >> order << order
hi = max(z["start_pfn"] + z["spanned"] for z in zones)
want = (hi - lo + (1 << order) - 1) >> order
out.append(sorted(p.maps) == sorted(["map-start-0"] + ["map-end-%d" % i for i in range(nr)]))
out.append(all(v == [want, want] for v in p.maps.values()))
# each end map's caption: the JSON's end figures of its run
caps = re.findall(r'([0-9,]+) pageblocks with memory: <b>([0-9,]+) mixed</b>, ([0-9,]+) tainted, ([0-9,]+) free', dom)
ends = [tuple(int(x.replace(",", "")) for x in c[1:]) for c in caps[1:]]
out.append(ends == [(r["figures"]["end_mixed_pageblocks"], r["figures"]["end_tainted_pageblocks"],
                     r["figures"]["end_free_pageblocks"]) for r in rep["runs"]])
# the sections, the provenance
want_h2 = ["Provenance", "Notes and caveats", "At a glance", "Over trace time", "Pageblock maps",
           "Fallbacks", "What each policy costs", "The closed loop by request class", "Every figure"]
out.append(p.h2 == want_h2)
out.append(sha in dom and sha == rep["provenance"]["trace_sha256"])
out.append(all(k in dom for k in ("claimer", "pollute", "steal")))
# validate's page has the fidelity table and the kernel's free-pages line
out.append("Fidelity: the model beside the kernel" in vdom and '<title>kernel</title>' in vdom
           and vdom.count("check: ") == 8)
print(" ".join(str(x) for x in out))
PY
)
expect_eq "DOM: plots, a line per variant, one map cell per pageblock, captions = JSON, sections, sha256, words, fidelity" \
	"$got" "True True True True True True True True True"

# the console: nothing logged; a page that logs an error is caught (control)
printf '<!DOCTYPE html><html><body><script>console.error("control")</script></body></html>' \
	>"$W/control.html"
chrome --enable-logging=stderr --v=0 --dump-dom "file://$W/control.html" >/dev/null 2>"$W/control.log"
expect_eq "console control: an error a page logs is seen" \
	"$(grep -c 'CONSOLE.*control' "$W/control.log" | awk '{print ($1 > 0)}')" 1
if grep -E 'CONSOLE|Uncaught|Refused to' "$W/dom.log"; then
	fail "the report logs to the console (above)"
else
	pass
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
