#!/usr/bin/env bash
# Screening benchmark (docs/performance.md): `huiqi screen` over a generated registry, RUNS times,
# printing wall s, user s, sys s and peak RSS KB per run, then the median wall time.
#   bench/screen.sh [ROWS=1000000] [RUNS=5] [OTHER_BINARY]
# With OTHER_BINARY (e.g. a build of an older commit), runs alternate between it and this
# checkout's build, so a machine whose speed drifts is compared with itself.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-5}
other=${3:-}
target=${CARGO_TARGET_DIR:-target}
cargo build --release --locked -q -p huiqi-cli
huiqi="$target/release/huiqi"
work=${BENCH_DIR:-/tmp/huiqi-bench}
mkdir -p "$work"
registry="$work/registry-$rows-seed7.csv"
[ -f "$registry" ] || "$huiqi" gen-registry --rows "$rows" --seed 7 --date 2026-11-26 --out "$registry"
binaries=("$huiqi")
[ -n "$other" ] && binaries=("$other" "$huiqi")
for b in "${binaries[@]}"; do : > "$work/times-$(basename "$(dirname "$(dirname "$b")")")"; done
for _ in $(seq "$runs"); do
  for b in "${binaries[@]}"; do
    rm -rf "$work/out"
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" \
      "$b" screen "$registry" --library policies --date 2026-11-26 --out "$work/out" > /dev/null 2>&1
    name=$(basename "$(dirname "$(dirname "$b")")")
    echo "$name $(cat "$work/time")"
    cut -d' ' -f1 "$work/time" >> "$work/times-$name"
  done
done
for b in "${binaries[@]}"; do
  name=$(basename "$(dirname "$(dirname "$b")")")
  echo "$name median wall: $(sort -n "$work/times-$name" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') s"
done
