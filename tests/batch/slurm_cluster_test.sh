#!/usr/bin/env bash
# The throw-away Slurm cluster does what the batch engine relies on (../shared/docs/servers.md):
# a job array whose tasks each write their own output, a failing task reported as FAILED with its
# exit code, a finishing job that runs after the array with `afterany` even though a task failed,
# and `scancel` of one task of a running array. Exit 3 when the cluster cannot run here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=$(mktemp -d /tmp/pcanno-slurm.XXXXXX)
trap '"$here/slurm_cluster.sh" down "$state" >/dev/null 2>&1 || true' EXIT
set +e
exports=$("$here/slurm_cluster.sh" up "$state")
status=$?
set -e
if ((status == 3)); then
  # Where it cannot run, a skip; under CI (which installs the packages as root) a failure.
  if [[ -n ${CI:-} ]]; then echo "CI is set but the Slurm cluster cannot run here"; exit 1; fi
  exit 3
fi
((status == 0)) || { echo "slurm_cluster.sh up failed ($status)"; exit 1; }
eval "$exports"

fail() { echo "FAIL: $*"; exit 1; }
# The state of a job (or array task JOB_TASK) once it has ended; waits up to 30 s.
final_state() {
  local state_now
  for _ in $(seq 150); do
    state_now=$(scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1)
    case $state_now in
      JobState=COMPLETED | JobState=FAILED | JobState=CANCELLED | JobState=TIMEOUT)
        echo "${state_now#JobState=}"
        return 0
        ;;
    esac
    sleep 0.2
  done
  echo "UNFINISHED"
}

out=$state/jobs
array=$(sbatch --parsable --array=0-3 -o "$out/task-%a.txt" \
  --wrap 'echo "task $SLURM_ARRAY_TASK_ID"; [ "$SLURM_ARRAY_TASK_ID" -ne 2 ] || exit 7')
finish=$(sbatch --parsable --dependency=afterany:"$array" -o "$out/finish.txt" --wrap 'echo merged')
[[ $(final_state "$finish") == COMPLETED ]] || fail "the finishing job did not run after the array"
for task in 0 1 3; do
  [[ $(final_state "${array}_$task") == COMPLETED ]] || fail "task $task did not complete"
  [[ $(cat "$out/task-$task.txt") == "task $task" ]] || fail "task $task wrote $(cat "$out/task-$task.txt")"
done
[[ $(final_state "${array}_2") == FAILED ]] || fail "task 2 was not reported FAILED"
scontrol show job -o "${array}_2" | grep -q 'ExitCode=7:0' || fail "task 2's exit code is not 7"
[[ $(cat "$out/finish.txt") == merged ]] || fail "the finishing job wrote nothing"

# scancel of one running task leaves the others to finish.
long=$(sbatch --parsable --array=0-1 -o /dev/null --wrap 'sleep 2')
for _ in $(seq 100); do
  squeue -h -j "${long}_1" -t RUNNING 2>/dev/null | grep -q . && break
  sleep 0.1
done
scancel "${long}_1"
[[ $(final_state "${long}_1") == CANCELLED ]] || fail "the cancelled task is not CANCELLED"
[[ $(final_state "${long}_0") == COMPLETED ]] || fail "its sibling did not complete"
echo "slurm cluster: array, failure, afterany and scancel behave"
