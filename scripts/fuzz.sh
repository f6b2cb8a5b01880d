#!/usr/bin/env bash
# Fuzzes Leadflow's decoders with libFuzzer (docs/fuzzing.md). Builds `leadflow-fuzz` with
# -sanitize=fuzzer,address into .build-fuzz when needed, then runs each named target (all when none is named)
# one after another, and prints per target the inputs run and exec/s.
#
#   scripts/fuzz.sh [--time SECONDS | --runs N] [--timeout SECONDS] [--rss-limit MB] [TARGET…]
#
# New inputs go to .build-fuzz/corpus/<target> and logs to .build-fuzz/logs (LEADFLOW_FUZZ_WORK moves both, so
# that two runs can go on at once); the committed seeds in Fuzz/corpus and Fuzz/regressions are only read.
# LEADFLOW_FUZZ_CONFIGURATION=debug builds a debug fuzz product: half the compilation, two thirds the exec/s.
# A crash, sanitizer report, time-out, leak or memory blow-up stops that target, leaves the input in
# Fuzz/findings/<target>/ and makes the script exit non-zero once every target has run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

time_limit=""
runs=""
timeout=10
rss_limit=2048
configuration="${LEADFLOW_FUZZ_CONFIGURATION:-release}"
work_root="${LEADFLOW_FUZZ_WORK:-.build-fuzz}"
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) time_limit="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --rss-limit) rss_limit="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^[^#]/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ -n "$time_limit" ] || [ -n "$runs" ] || time_limit=30

# The sanitizers and libFuzzer's coverage hooks apply to every Swift module, so this build lives apart from
# .build; -parse-as-library because libFuzzer supplies main(), -DLEADFLOW_FUZZING selects FuzzEntry.swift.
scripts/deps.sh
swift build -c "$configuration" --scratch-path .build-fuzz --product leadflow-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DLEADFLOW_FUZZING >&2
fuzzer="$(swift build -c "$configuration" --scratch-path .build-fuzz --show-bin-path)/leadflow-fuzz"

if [ ${#targets[@]} -eq 0 ]; then
  for folder in Fuzz/corpus/*/; do targets+=("$(basename "$folder")"); done
fi

limits=()
[ -n "$time_limit" ] && limits+=("-max_total_time=$time_limit")
[ -n "$runs" ] && limits+=("-runs=$runs")

failed=()
printf '%-14s %12s %9s %8s %7s  %s\n' target inputs exec/s corpus seconds result
for target in "${targets[@]}"; do
  [ -d "Fuzz/corpus/$target" ] || { echo "fuzz.sh: no corpus Fuzz/corpus/$target" >&2; exit 2; }
  work="$work_root/corpus/$target"
  findings="Fuzz/findings/$target"
  log="$work_root/logs/$target.log"
  mkdir -p "$work" "$findings" "$(dirname "$log")"
  seeds=("Fuzz/corpus/$target")
  [ -d "Fuzz/regressions/$target" ] && seeds+=("Fuzz/regressions/$target")
  options=(-timeout="$timeout" -rss_limit_mb="$rss_limit" -detect_leaks=1 -print_final_stats=1
    -artifact_prefix="$findings/")
  [ -f "Fuzz/dictionaries/$target.dict" ] && options+=(-dict="Fuzz/dictionaries/$target.dict")
  started=$(date +%s)
  status=0
  LEADFLOW_FUZZ_TARGET="$target" "$fuzzer" "${options[@]}" "${limits[@]}" "$work" "${seeds[@]}" >"$log" 2>&1 ||
    status=$?
  elapsed=$(($(date +%s) - started))
  stat() { grep -o "stat::$1: *[0-9]*" "$log" | grep -o '[0-9]*$' | tail -1; }
  result=ok
  if [ "$status" -ne 0 ]; then
    result="FINDING (exit $status): $(grep -m1 -o 'Test unit written to .*' "$log" || echo "see $log")"
    failed+=("$target")
  fi
  printf '%-14s %12s %9s %8s %7s  %s\n' "$target" "$(stat number_of_executed_units)" \
    "$(stat average_exec_per_sec)" "$(find "$work" -type f | wc -l)" "$elapsed" "$result"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: findings in ${failed[*]}; logs in $work_root/logs, inputs in Fuzz/findings" >&2
  exit 1
fi
