#!/usr/bin/env bash
# tests/cli/test_sweep_slurm.sh FRAGREPLAY SAMPLES - a real one-node Slurm
# (slurmctld + slurmd as root, auth/none, config and state in a temporary
# directory) runs the script `sweep emit --backend slurm` writes for a small
# manifest: a job array of chunks, then the merge job (afterok). Its merged
# summary must equal `sweep run` done locally, byte for byte but elapsed_s.
# Slurm runs in namespaces of its own: a network namespace (loopback only)
# and a PID namespace, whose end kills every daemon even when the test is
# killed. Exit 77 (skipped) only where Slurm cannot be installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [[ -z ${SWEEP_IN_NS:-} ]]; then
	bin=$(realpath "$1")
	samples=$(realpath "$2")
	if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
	   ! command -v sbatch >/dev/null; then
		if ((EUID != 0)) || ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends slurm-wlm >/dev/null 2>&1; then
			echo "SKIP: slurm-wlm is not installed and cannot be installed here"
			exit 77
		fi
	fi
	((EUID == 0)) || { echo "test_sweep_slurm: slurmd runs jobs as root: run as root" >&2; exit 1; }
	exec unshare --net --pid --fork --kill-child --mount-proc \
		env SWEEP_IN_NS=1 bash "$0" "$bin" "$samples"
fi

bin=$1 samples=$2
. "$here/sweep_lib.sh"
ip link set lo up
# glibc's getaddrinfo(AI_ADDRCONFIG), which Slurm binds with, wants an IPv4
# address that is not 127/8 before it returns any: one more on lo, still only here
ip addr add 10.254.254.1/32 dev lo
tmp=$(mktemp -d /tmp/frt-sweep-slurm.XXXXXX)
pids=()
cleanup() {
	local rc=$?
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if ((rc)); then
		for f in "$tmp"/slurmctld.log "$tmp"/slurmd.log "$tmp"/slurm/logs/*; do
			[[ -f $f ]] && { echo "== $f"; tail -n 20 "$f"; }
		done
	fi
	rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT

mkdir -p "$tmp/state" "$tmp/spool"
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=fragreplay
SlurmctldHost=localhost
SlurmctldAddr=127.0.0.1
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
NodeName=frnode NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=frnode Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i >/dev/null 2>&1 &
pids+=($!)
slurmd -D -N frnode >/dev/null 2>&1 &
pids+=($!)
for ((i = 0; i < 100; i++)); do
	[[ $(sinfo -h -o %T 2>/dev/null) == idle ]] && break
	sleep 0.2
done
[[ $(sinfo -h -o %T) == idle ]] || { echo "slurmd did not register"; exit 1; }

small_manifest "$tmp/m.json" "$samples" 3
script=$("$bin" sweep emit --backend slurm --max-parallel 2 "$tmp/m.json" --out "$tmp/slurm")
[[ $script == "$tmp/slurm/submit-slurm.sh" ]]
grep -q -- '--array=0-3%2' "$script"
grep -q -- '--dependency=afterok:' "$script"
out=$(sh "$script")
echo "$out"
array=$(sed -n 's/.*array job \([0-9]*\).*/\1/p' <<<"$out")
merge=$(sed -n 's/.*merge job \([0-9]*\).*/\1/p' <<<"$out")
[[ -n $array && -n $merge ]]
for ((i = 0; i < 300; i++)); do
	[[ -z $(squeue -h -o %i) ]] && break
	sleep 0.2
done
[[ -z $(squeue -h -o %i) ]] || { squeue; echo "jobs still queued after 60 s"; exit 1; }
# four array elements of three tasks ran, and the merge after them
ls "$tmp/slurm/logs/task-${array}_"{0,1,2,3}.out "$tmp/slurm/logs/merge-$merge.out" >/dev/null
grep -q 'summary.md' "$tmp/slurm/logs/merge-$merge.out"
check_results "$tmp/slurm" "$samples"

"$bin" sweep run "$tmp/m.json" --out "$tmp/local" -j 1 2>/dev/null
"$bin" sweep merge "$tmp/local" >/dev/null
same_summary "$tmp/slurm" "$tmp/local"
echo "ok: the Slurm array and its merge job equal the local sweep"
