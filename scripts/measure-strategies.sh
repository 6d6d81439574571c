#!/usr/bin/env bash
# Measures the strategy tables of docs/results.md: for each scenario and strategy, `continual run` with seeds 0, 1, 2
# on the bundled data, printing a markdown row with the mean final average accuracy (and per-seed values) and the mean
# final accuracy on task 1. Usage: scripts/measure-strategies.sh [class|task|domain|all] (ITERATIONS=100 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
iterations=${ITERATIONS:-100}
dotnet build src/Cli -c Release -v quiet -nologo >/dev/null
cli=(dotnet src/Cli/bin/Release/net10.0/continual.dll run --json --eval-every 100000 --iterations-per-task "$iterations")
# One libtorch thread per run: fastest on a shared two-core machine.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

row() { # label, then run options
  local label=$1; shift
  local avgs=() firsts=()
  for seed in 0 1 2; do
    local json
    # A run that fails is reported on stderr and tried once more (TorchSharp 0.107's rare implicit-Scalar race).
    json=$("${cli[@]}" --seed "$seed" "$@" 2>/tmp/measure-run.err) || { echo "retrying $label seed $seed: $(grep -m1 -E 'run failed|rror' /tmp/measure-run.err)" >&2; json=$("${cli[@]}" --seed "$seed" "$@" 2>/dev/null); }
    avgs+=("$(jq '.averageAccuracy' <<<"$json")"); firsts+=("$(jq '.accuracyMatrix[-1][0]' <<<"$json")")
  done
  awk -v label="$label" -v a="${avgs[*]}" -v f="${firsts[*]}" 'BEGIN {
    n = split(a, x, " "); split(f, y, " "); s = 0; t = 0; per = "";
    for (i = 1; i <= n; i++) { s += x[i]; t += y[i]; per = per sprintf("%s%.1f", i > 1 ? " / " : "", x[i]) }
    printf "| %s | %.1f | %s | %.1f |\n", label, s / n, per, t / n }'
}

header() { echo; echo "$1"; echo; echo "| strategy | average accuracy (mean) | seeds 0 / 1 / 2 | task 1 at the end (mean) |"; echo "|---|---|---|---|"; }

if [[ $which == class || $which == all ]]; then
  header "class-incremental: --preset split-mnist-5 --iterations-per-task $iterations"
  for s in naive ewc si lwf agem replay er der generative-replay joint; do row "$s" --preset split-mnist-5 --strategy "$s"; done
fi
if [[ $which == task || $which == all ]]; then
  header "task-incremental: --preset split-mnist-5 --scenario task-incremental --iterations-per-task $iterations"
  for s in naive ewc si lwf agem replay generative-replay pnn joint; do row "$s" --preset split-mnist-5 --scenario task-incremental --strategy "$s"; done
fi
if [[ $which == domain || $which == all ]]; then
  header "domain-incremental: --preset permuted-mnist --iterations-per-task $iterations"
  for s in naive ewc si lwf agem replay generative-replay joint; do row "$s" --preset permuted-mnist --strategy "$s"; done
fi
