#!/usr/bin/env bash
# The whole ctest suite (unit and integration) under AddressSanitizer + UBSan:
#   bash scripts/asan.sh [extra ctest args, e.g. -R test_csv]
# Builds build-asan with -DHUIZONG_SANITIZE=ON (the default compiler, gcc is fine). Any
# leak, memory error or undefined behaviour aborts the process that hit it, so its test
# fails and ctest prints the sanitizer report. Exits with ctest's status.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${HZ_ASAN_BUILD:-$(pwd)/build-asan}
JOBS=${HZ_JOBS:-2}
start=$(date +%s)

mkdir -p "$BUILD"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DHUIZONG_SANITIZE=ON >"$BUILD/configure.log" 2>&1 ||
  { cat "$BUILD/configure.log"; exit 2; }
cmake --build "$BUILD" -j"$JOBS" || exit 2

# detect_leaks: a leak fails the test. abort_on_error: a core-style abort ctest sees.
# halt_on_error (UBSan): the first undefined behaviour stops the process instead of
# scrolling past. Inherited by every process the integration tests start.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Check forks a child per test by default; the sanitizer report comes from the child.
ctest --test-dir "$BUILD" --output-on-failure -j"$JOBS" "$@"
rc=$?
echo "asan.sh: ctest exit $rc, $(( $(date +%s) - start ))s in all"
exit $rc
