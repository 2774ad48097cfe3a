# tests/cli/sweep_lib.sh - what the sweep tests share: the small manifest
# (2 samples x 3 variants x 2 knob values) and the comparison of two merged
# summaries, byte for byte but for the timing fields (elapsed_s).

# small_manifest FILE SAMPLES [CHUNK]: the manifest, its traces by absolute path
small_manifest() {
	local chunk=${3:+, \"chunk\": $3}
	cat >"$1" <<JSON
{
  "traces": ["$2/slab-pagecache-interleave.frt", "$2/pagecache-slab-mix.frt"],
  "variants": ["vanilla", "defrag_mode", "evacuate"],
  "knobs": { "watermark_boost_factor": [0, 15000] }$chunk
}
JSON
}

# same_summary DIR_A DIR_B: summary.md and .csv equal, summary.json equal without elapsed_s
same_summary() {
	cmp "$1/summary.md" "$2/summary.md"
	cmp "$1/summary.csv" "$2/summary.csv"
	python3 - "$1/summary.json" "$2/summary.json" <<'PY'
import json, sys
def strip(p):
    d = json.load(open(p))
    assert all(r.pop("elapsed_s") >= 0 for r in d["results"]), p
    return json.dumps(d, sort_keys=True)
a, b = (strip(p) for p in sys.argv[1:])
assert a == b, "summary.json differs beyond elapsed_s"
d = json.loads(a)
assert d["tasks"] == 12 and len(d["results"]) == 12, d["tasks"]
assert [r["index"] for r in d["results"]] == list(range(12))
PY
}

# 12 results of the manifest, each its own index and both traces' sha256 as sha256sum says
check_results() {
	local dir=$1 samples=$2
	python3 - "$dir" "$samples" <<'PY'
import json, sys, hashlib
d, s = sys.argv[1:]
want = {s + "/" + n: hashlib.sha256(open(s + "/" + n, "rb").read()).hexdigest()
        for n in ("slab-pagecache-interleave.frt", "pagecache-slab-mix.frt")}
for i in range(12):
    r = json.load(open(f"{d}/results/task-{i:06d}.json"))
    assert r["index"] == i and r["task"]["index"] == i, i
    assert r["trace_hash"] == want[r["task"]["trace"]], (i, r["trace_hash"])
    assert r["knobs"]["watermark_boost_factor"] == (0, 15000)[i % 2], i
    assert r["task"]["variant"] == ("vanilla", "defrag_mode", "evacuate")[i % 6 // 2], i
    assert r["knobs"]["evacuate"] == (i % 6 >= 4), i
    assert r["figures"]["requests_replayed"] > 0, i
PY
}
