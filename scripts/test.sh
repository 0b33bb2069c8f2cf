#!/usr/bin/env bash
# The whole test suite in one command: install what is missing, build, then
#   1. every test with ctest (Check unit suites + integration tests with real processes),
#   2. the same suite again under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. the aggregator's two threads under ThreadSanitizer (scripts/tsan.sh),
#   4. each libFuzzer target for a bounded time (FUZZ_SECONDS, default 60).
# Ends with one line "suite: N passed, M failed" counting the four stages' tests.
# Set HZ_QUICK=1 to run stage 1 only (a fast local check).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh || exit 2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
cmake --build build -j"$(nproc)" || exit 2

passed=0 failed=0
# Adds a ctest run's totals (from its "N% tests passed, F tests failed out of T" line).
count_ctest() {
  local line t f
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$1" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  t=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + t - f)); failed=$((failed + f))
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== 1/4 ctest"
ctest --test-dir build --output-on-failure -j2 2>&1 | tee "$log"
count_ctest "$log"

if [ "${HZ_QUICK:-0}" != 1 ]; then
  echo "== 2/4 ctest under AddressSanitizer + UBSan"
  bash scripts/asan.sh 2>&1 | tee "$log"
  count_ctest "$log"

  echo "== 3/4 the aggregator's threads under ThreadSanitizer"
  bash scripts/tsan.sh 2>&1 | tee "$log"
  p=$(sed -nE 's/^tsan.sh: ([0-9]+) passed, ([0-9]+) failed.*/\1/p' "$log")
  f=$(sed -nE 's/^tsan.sh: ([0-9]+) passed, ([0-9]+) failed.*/\2/p' "$log")
  if [ -n "$p" ]; then passed=$((passed + p)); failed=$((failed + f)); else failed=$((failed + 1)); fi

  echo "== 4/4 fuzzing, ${FUZZ_SECONDS:-60} s per target"
  if bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"; then passed=$((passed + 3)); else failed=$((failed + 1)); fi
fi

echo "suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
