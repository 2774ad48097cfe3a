#!/usr/bin/env bash
# ab_predict.sh - does replay predict the real A/B of vm.defrag_mode?
#
# Given runs of one workload recorded with vm.defrag_mode=0 and with =1
# (traces/workloads/ab-*.sh), this sets what the model predicts beside what
# the kernel measured, for the five headline figures of issue 17: THP fault
# allocations, THP fault fallbacks, pollute + steal fallbacks (extfrag events
# that did not retype the block), compact_stall, and mixed pageblocks at the
# end (against the kernel's upper bound of mixed pageblocks, and on a line of
# its own against its lower bound: README, "Real A/B").
#
#  measured: `fragreplay diff --json - --group m0=... --group m1=...`: each
#            figure's mean and spread [min..max] over the =0 runs and the =1
#            runs, as the kernel recorded them (vmstat deltas between the
#            snapshots, the extfrag events, the end snapshot's pageblocks).
#  forward:  each =0 trace through `fragreplay compare T --a vanilla
#            --b defrag_mode --json`: the model's ratio B/A of each figure
#            applied to the measured =0 mean gives that trace's predicted =1
#            figure (where the model's A is 0: the measured mean plus B - A);
#            the prediction is the mean of those over the =0 traces.
#  reverse:  each =1 trace through `--a defrag_mode --b vanilla`, applied to
#            the measured =1 mean: the predicted =0 figure.
#  verdict:  sign - the predicted change (prediction - measured mean of the
#            side replayed) has the sign of the measured change (both 0
#            counts as right); spread - the prediction lies within the
#            kernel's own [min..max] over the runs of the other side;
#            apart - whether the measured change stands out of the kernel's
#            noise at all (the two sides' [min..max] do not overlap).
#
# Usage: bash bench/ab_predict.sh [-f FRAGREPLAY] [--knobs K=V[,K=V...]]
#            [--name NAME] [--json OUT] --m0 A.frt,B.frt,... --m1 C.frt,D.frt,...
#   --knobs  knob settings appended to both variants of every compare
#            (--set-a K=V --set-b K=V), e.g. --knobs feedback=0
#   --json   also write the table, per-trace predictions included, as JSON
# Prints a table per direction and a verdict per figure. Exit 0 when the
# table was made (whatever it shows), 1 when a command failed, 2 on usage.
set -euo pipefail

frag=build/fragreplay
knobs=
name=
json_out=
m0=
m1=
usage() { sed -n '/^# Usage:/,/^# Prints/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	-f) frag=${2:?}; shift 2 ;;
	--knobs) knobs=${knobs:+$knobs,}${2:?}; shift 2 ;;
	--name) name=${2:?}; shift 2 ;;
	--json) json_out=${2:?}; shift 2 ;;
	--m0) m0=${2:?}; shift 2 ;;
	--m1) m1=${2:?}; shift 2 ;;
	-h|--help) usage ;;
	*) echo "ab_predict.sh: unknown argument '$1'" >&2; usage ;;
	esac
done
[ -n "$m0" ] && [ -n "$m1" ] || { echo "ab_predict.sh: --m0 and --m1 are required" >&2; usage; }
[ -x "$frag" ] || { echo "ab_predict.sh: no fragreplay at $frag (-f)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sets=()
IFS=, read -r -a kv <<< "$knobs"
for k in "${kv[@]}"; do [ -n "$k" ] && sets+=(--set-a "$k" --set-b "$k"); done

"$frag" diff --json "$tmp/measured.json" --group "m0=$m0" --group "m1=$m1" > /dev/null

# compare A B for each trace of LIST into $tmp/DIR/N.json
replay_all() {
	local dir=$1 list=$2 a=$3 b=$4 i=0 t
	mkdir -p "$tmp/$dir"
	IFS=, read -r -a ts <<< "$list"
	for t in "${ts[@]}"; do
		"$frag" compare "$t" --a "$a" --b "$b" "${sets[@]}" --json "$tmp/$dir/$i.json" \
			> /dev/null
		echo "$t" > "$tmp/$dir/$i.path"
		i=$((i + 1))
	done
}
replay_all fwd "$m0" vanilla defrag_mode
replay_all rev "$m1" defrag_mode vanilla

python3 - "$tmp" "$name" "$knobs" "$json_out" <<'PY'
import glob, json, os, sys

tmp, name, knobs, json_out = sys.argv[1:5]
measured = {g["name"]: g["figures"] for g in json.load(open(f"{tmp}/measured.json"))["groups"]}

def model_pollute_steal(run):
    return sum(v["steals"] for v in run["fallbacks"].values())

# (label, the kernel's row in diff, the model's figure in a compare run)
FIGURES = [
    ("THP fault alloc", "thp_fault_alloc", lambda r: r["counters"]["thp_fault_alloc"]),
    ("THP fault fallback", "thp_fault_fallback", lambda r: r["counters"]["thp_fault_fallback"]),
    ("pollute + steal", "pollute+steal", model_pollute_steal),
    ("compact_stall", "compact_stall", lambda r: r["counters"]["compact_stall"]),
    ("mixed pageblocks (end)", "mixed_pageblocks", lambda r: r["figures"]["end_mixed_pageblocks"]),
    # the same model figure against the kernel's lower bound (diff: pcp pages
    # look like unmovable order-0 allocations in the walk, which the upper
    # bound counts and this one leaves out with every other such page)
    ("  mixed, lower bound", "mixed_pageblocks_min", lambda r: r["figures"]["end_mixed_pageblocks"]),
]

def sign(x):
    # a mean of means: 2.8e-14 is no change (half a count is the resolution)
    if abs(x) < 0.5:
        return 0
    return (x > 0) - (x < 0)

def direction(dirname, base, other, title):
    runs = []
    for path in sorted(glob.glob(f"{tmp}/{dirname}/*.json"), key=lambda p: int(os.path.basename(p)[:-5])):
        rep = json.load(open(path))
        runs.append((open(path[:-5] + ".path").read().strip(), rep["runs"][0], rep["runs"][1]))
    rows = []
    for label, key, get in FIGURES:
        mb, mo = measured[base].get(key), measured[other].get(key)
        row = {"figure": label, "key": key, "measured_base": mb, "measured_other": mo,
               "per_trace": []}
        if mb is None or mo is None:
            row["verdict"] = "unknown (a trace cannot say)"
            rows.append(row)
            continue
        preds = []
        for path, a_run, b_run in runs:
            a, b = get(a_run), get(b_run)
            pred = mb["mean"] * b / a if a else mb["mean"] + (b - a)
            preds.append(pred)
            row["per_trace"].append({"trace": path, "model_a": a, "model_b": b, "predicted": pred})
        pred = sum(preds) / len(preds)
        d_meas = mo["mean"] - mb["mean"]
        d_pred = pred - mb["mean"]
        # the kernel's own change stands out of its noise only where the two
        # sides' ranges do not overlap
        row["measured_separated"] = mo["min"] > mb["max"] or mo["max"] < mb["min"]
        row.update(predicted=pred, measured_change=d_meas, predicted_change=d_pred,
                   sign_right=sign(d_pred) == sign(d_meas),
                   within_spread=mo["min"] <= pred <= mo["max"])
        rows.append(row)
    print(f"\n{title}")
    hdr = (f"{'figure':<24} {'measured ' + base:>24} {'measured ' + other:>24} {'meas. change':>13}"
           f" {'model A -> B (per trace)':>30} {'predicted ' + other:>14} {'pred. change':>13}  sign  spread   apart")
    print(hdr)
    for r in rows:
        mb, mo = r["measured_base"], r["measured_other"]
        def cell(m):
            return "-" if m is None else f"{m['mean']:.1f} [{m['min']}..{m['max']}]"
        if "predicted" not in r:
            print(f"{r['figure']:<24} {cell(mb):>24} {cell(mo):>24}  {r['verdict']}")
            continue
        ab = " ".join(f"{p['model_a']}->{p['model_b']}" for p in r["per_trace"])
        def pct(d, base):
            return f"{d:+.1f}" + (f" ({100 * d / base:+.0f}%)" if base else "")
        print(f"{r['figure']:<24} {cell(mb):>24} {cell(mo):>24} {pct(r['measured_change'], mb['mean']):>13}"
              f" {ab:>30} {r['predicted']:>14.1f} {pct(r['predicted_change'], mb['mean']):>13}"
              f"  {'right' if r['sign_right'] else 'WRONG':<5} {'within' if r['within_spread'] else 'outside':<7}"
              f"  {'yes' if r['measured_separated'] else 'no'}")
    # the five headline figures; the lower bound of mixed is shown, not counted
    known = [r for r in rows if "predicted" in r and not r["figure"].startswith(" ")]
    print(f"verdict (headline figures): sign right on {sum(r['sign_right'] for r in known)} of "
          f"{len(known)}, within the kernel's spread on {sum(r['within_spread'] for r in known)} "
          f"of {len(known)}")
    return rows

print(f"workload: {name or '-'}; knobs on both variants: {knobs or '(none)'}; "
      f"runs: {len(glob.glob(tmp + '/fwd/*.json'))} with defrag_mode=0, "
      f"{len(glob.glob(tmp + '/rev/*.json'))} with =1")
fwd = direction("fwd", "m0", "m1", "forward: the =0 traces replayed vanilla -> defrag_mode, predicting =1")
rev = direction("rev", "m1", "m0", "reverse: the =1 traces replayed defrag_mode -> vanilla, predicting =0")
if json_out:
    with open(json_out, "w") as f:
        json.dump({"workload": name, "knobs": knobs, "forward": fwd, "reverse": rev}, f, indent=1)
PY
