#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang + ASan + UBSan in build-fuzz and runs
# each for SECONDS (default 60):  bash scripts/fuzz.sh [SECONDS]
#
# Seeds: tests/fuzz/corpus/csv (small CSVs cut from examples/), tests/fuzz/corpus/recognise
# (printed-sheet grids) and tests/fuzz/corpus/submission (packed submissions) plus, made
# fresh here by fuzz_make_seeds, every submission of examples/*.csv packed. New inputs libFuzzer finds go to build-fuzz/fuzz/corpus/<target>
# (kept between runs, never into the source tree). Exits non-zero on the first crash, leak,
# UB report or broken promise and prints the input that caused it (path and base64) and
# how to replay it.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_EACH=${1:-60}
BUILD=${HZ_FUZZ_BUILD:-$ROOT/build-fuzz}
JOBS=${HZ_JOBS:-2}

command -v clang >/dev/null || { echo "fuzz.sh: clang is needed (apt-get install clang)" >&2; exit 2; }
mkdir -p "$BUILD"
cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHUIZONG_FUZZ=ON \
      >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log"; exit 2; }
cmake --build "$BUILD" -j"$JOBS" --target fuzz_csv fuzz_submission fuzz_recognise fuzz_make_seeds || exit 2

OUT=$BUILD/fuzz
mkdir -p "$OUT/corpus/csv" "$OUT/corpus/submission" "$OUT/corpus/recognise" "$OUT/seeds/submission" "$OUT/artifacts"
"$OUT/fuzz_make_seeds" "$OUT/seeds/submission" examples/*-20??.csv tests/fuzz/corpus/csv/*.csv >/dev/null || exit 2

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# run TARGET EXTRA_FLAGS... SEED_DIRS...
run() {
  local target=$1 dict=$2; shift 2
  local art="$OUT/artifacts/$target/" log="$OUT/$target.log"
  rm -rf "$art"; mkdir -p "$art"
  echo "== $target: ${SECONDS_EACH}s (log: $log)"
  local start=$(date +%s)
  "$OUT/$target" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$art" ${dict:+-dict="$dict"} "$OUT/corpus/${target#fuzz_}" "$@" >"$log" 2>&1
  local rc=$?
  local crash
  crash=$(ls "$art" 2>/dev/null | head -1)
  if [ $rc -ne 0 ] || [ -n "$crash" ]; then
    echo "!! $target FAILED (exit $rc) after $(( $(date +%s) - start ))s"
    grep -E -A40 "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|broken promise" "$log" | head -80
    if [ -n "$crash" ]; then
      echo "!! crash input: $art$crash"
      echo "!! base64: $(base64 -w0 "$art$crash")"
      echo "!! replay: $OUT/$target $art$crash"
    fi
    return 1
  fi
  echo "   ok: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') runs," \
       "$(grep -E '^stat::peak_rss_mb' "$log" | awk '{print $2}') MB peak," \
       "$(ls "$OUT/corpus/${target#fuzz_}" | wc -l) corpus inputs, $(( $(date +%s) - start ))s"
}

status=0
run fuzz_csv "$ROOT/tests/fuzz/csv.dict" "$ROOT/tests/fuzz/corpus/csv" || status=1
run fuzz_submission "" "$OUT/seeds/submission" "$ROOT/tests/fuzz/corpus/submission" || status=1
run fuzz_recognise "" "$ROOT/tests/fuzz/corpus/recognise" || status=1
[ $status -eq 0 ] && echo "fuzz.sh: no crash in ${SECONDS_EACH}s per target"
exit $status
