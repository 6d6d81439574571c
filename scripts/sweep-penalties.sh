#!/usr/bin/env bash
# Sweeps EWC's λ and SI's c in the three scenarios on the bundled data with `continual sweep`, keeps each sweep's JSON
# under $OUT (default sweep-results/), and prints one markdown table per sweep: mean final average accuracy ± std, the
# per-seed values and the mean final task-1 accuracy per value. λ = 0 is the penalty switched off (naive fine-tuning).
# Usage: scripts/sweep-penalties.sh [SWEEP…] (default: all of them; names below); CLI=path/to/continual.dll to use an
# existing build. The value lists and seeds are what fitted the shared two-core machine (docs/results.md, "Penalty
# strengths"); each sweep is independent, so several can run at once.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-sweep-results}
mkdir -p "$out"
if [[ -z ${CLI:-} ]]; then dotnet build src/Cli -c Release -v quiet -nologo >/dev/null; CLI=src/Cli/bin/Release/net10.0/continual.dll; fi
# One libtorch thread per run: fastest on a shared two-core machine.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

class=(--preset split-mnist-5 --iterations-per-task 100)
task=(--preset split-mnist-5 --scenario task-incremental --iterations-per-task 100)
domain=(--preset permuted-mnist --iterations-per-task 100)
declare -A sweeps=(
  [ewc-class]="--seeds 3 --strategy ewc --param ewcLambda --values 0,1e2,1e4,1e6,1e8,1e9,1e10 ${class[*]}"
  [si-class]="--seeds 1 --strategy si --param siC --values 1,100,5000 ${class[*]}"
  [ewc-task]="--seeds 1 --strategy ewc --param ewcLambda --values 0,1e4,1e10 ${task[*]}"
  [si-task]="--seeds 1 --strategy si --param siC --values 1,10,1000 ${task[*]}"
  [ewc-domain]="--seeds 1 --strategy ewc --param ewcLambda --values 0,1e2,1e4 ${domain[*]}"
  [si-domain]="--seeds 1 --strategy si --param siC --values 1,10,100 ${domain[*]}"
)
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(ewc-class si-class ewc-task si-task ewc-domain si-domain)

for name in "${names[@]}"; do
  read -r -a options <<<"${sweeps[$name]}"
  dotnet "$CLI" sweep --json --eval-every 100000 "${options[@]}" >"$out/$name.json" 2>"$out/$name.err"
  echo; echo "$name: continual sweep --eval-every 100000 ${sweeps[$name]}"; echo
  echo "| value | average accuracy (mean ± std) | per seed | task 1 at the end (mean) |"; echo "|---|---|---|---|"
  jq -r '.points[] | "| \(.value) | \(.mean.averageAccuracy * 10 | round / 10) ± \(.std.averageAccuracy * 10 | round / 10) | \([.results[].averageAccuracy * 10 | round / 10] | map(tostring) | join(" / ")) | \(.mean.accuracyMatrix[-1][0] * 10 | round / 10) |"' "$out/$name.json"
done
