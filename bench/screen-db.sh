#!/usr/bin/env bash
# Recording a screening in the ledger (docs/performance.md): `huiqi screen` over the 1M-row
# registry (seed 1, 2026-11-26) without a ledger; into a fresh SQLite ledger, then again into the
# same (all lines recorded already); and the same on PostgreSQL when HUIQI_TEST_POSTGRES names a
# database (run it under .ci/postgres; a schema of its own, made afresh). RUNS rounds, each
# binary given doing each in turn, so a machine whose speed drifts is compared with itself.
# Prints wall s, user s, sys s, peak RSS KB and the load average per run, then the medians.
#   bench/screen-db.sh RUNS BINARY [BINARY...]
#   e.g. .ci/postgres bench/screen-db.sh 5 /tmp/old/huiqi target/release/huiqi
set -euo pipefail
cd "$(dirname "$0")/.."
runs=$1
shift
work=${BENCH_DIR:-/tmp/huiqi-bench}
mkdir -p "$work"
registry="$work/registry-1000000-seed1.csv"
[ -f "$registry" ] || "$1" gen-registry --rows 1000000 --seed 1 --date 2026-11-26 --out "$registry" --library policies
modes=(none sqlite sqlite-again)
[ -n "${HUIQI_TEST_POSTGRES:-}" ] && modes+=(postgres postgres-again)
: > "$work/times"
for round in $(seq "$runs"); do
  for b in "$@"; do
    for mode in "${modes[@]}"; do
      rm -rf "$work/out"
      db=()
      case $mode in
        sqlite) rm -f "$work"/ledger.db*; db=(--db "sqlite://$work/ledger.db") ;;
        sqlite-again) db=(--db "sqlite://$work/ledger.db") ;;
        postgres)
          psql "$HUIQI_TEST_POSTGRES" -qc "DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench" 2>/dev/null
          db=(--db "$HUIQI_TEST_POSTGRES?options=-csearch_path%3Dbench") ;;
        postgres-again) db=(--db "$HUIQI_TEST_POSTGRES?options=-csearch_path%3Dbench") ;;
      esac
      /usr/bin/time -f "%e %U %S %M" -o "$work/time" \
        "$b" screen "$registry" --library policies --date 2026-11-26 --out "$work/out" "${db[@]}" > "$work/said" 2>&1
      line="$b $mode $(cat "$work/time") load $(cut -d' ' -f1 /proc/loadavg)"
      echo "$line $(grep -o 'ledger [^:]*: .*recorded' "$work/said" | sed 's/^[^:]*: //' || true)"
      echo "$line" >> "$work/times"
    done
  done
done
for b in "$@"; do
  for mode in "${modes[@]}"; do
    echo "$b $mode median wall: $(awk -v b="$b" -v m="$mode" '$1 == b && $2 == m {print $3}' "$work/times" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') s"
  done
done
rm -f "$work"/ledger.db*
