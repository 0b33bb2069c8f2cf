#!/usr/bin/env bash
# The aggregator's and the collector's threads under ThreadSanitizer:
#   bash scripts/tsan.sh
# The aggregator runs three threads (its loop, and the intake workers of
# aggregator/intake_worker.c); the collector reads workbooks ahead on worker threads
# (import/read_ahead.c, test_import's read_ahead_equals_one_by_one). This builds build-tsan (-fsanitize=thread) with only what
# that needs, runs the worker's unit suite and the integration tests that stream through a
# real aggregator with the TSan binary, and fails on any report (halt_on_error, exit 66).
# libzmq's and libsodium's own hand-offs are invisible to TSan: tests/tsan/suppressions.txt
# says why they are suppressed. Exits 0 when every test passed with no report.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${HZ_TSAN_BUILD:-$(pwd)/build-tsan}
JOBS=${HZ_JOBS:-2}
start=$(date +%s)
# the integration tests the aggregator's threads are busiest in (streams, files, kills)
TESTS=(e2e_seeds load file_whole crash_kill9)

mkdir -p "$BUILD"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >"$BUILD/configure.log" 2>&1 ||
  { cat "$BUILD/configure.log"; exit 2; }
cmake --build "$BUILD" -j"$JOBS" --target huizong-aggregator huizong-collector huizong hz-testkit \
  huizong-pdf-pages test_intake test_import >"$BUILD/build.log" 2>&1 || { tail -30 "$BUILD/build.log"; exit 2; }

export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=$(pwd)/tests/tsan/suppressions.txt"
export HZ_BIN="$BUILD/bin" HZ_EXAMPLES="$(pwd)/examples" HZ_TESTS="$(pwd)/tests"
passed=0 failed=0
run() {   # run NAME COMMAND...: one test, its output kept only when it fails
  local name=$1 out
  shift
  out=$(mktemp)
  if "$@" >"$out" 2>&1; then
    passed=$((passed + 1)); echo "tsan: $name passed"
  else
    failed=$((failed + 1)); echo "tsan: $name FAILED"; tail -60 "$out"
  fi
  rm -f "$out"
}
run test_intake "$BUILD/tests/test_intake"
HUIZONG_PDF_PAGES="$BUILD/bin/huizong-pdf-pages" run test_import "$BUILD/tests/test_import"
for t in "${TESTS[@]}"; do run "it_$t" timeout 600 bash "tests/integration/$t.sh"; done
echo "tsan.sh: $passed passed, $failed failed, $(( $(date +%s) - start ))s in all"
[ "$failed" -eq 0 ]
