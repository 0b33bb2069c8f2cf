#!/usr/bin/env bash
# collector_retry.sh -- store-and-forward when the aggregator is away.
#
#  1. submit with no aggregator and a short deadline: exit 4, every submission PENDING,
#     the spool holds one .pb for the file (its two entities travel as one, applied whole).
#  2. start the aggregator, flush: exit 0, every submission ACCEPTED v1, spool empty.
#  3. start a submit first and the aggregator once it has timed out: it still succeeds.
#  4. An aggregator that dies (SIGKILL) before committing: the collector times out,
#     reconnects to its replacement on the same database and gets everything stored once.
#  5. SIGTERM stops the aggregator with exit 0.
source "$(dirname "$0")/lib.sh.inc"
FAIL_SHOW="*.out"
FAIL_TAIL=100
bg_pid=""

# retry_submit N FILE TIMEOUT: a submit in the background ($bg_pid, submitN.out/.err), once it
# has waited TIMEOUT ms for an ack in vain (so what follows meets a retrying collector).
retry_submit() {
    collector submit "$WORK/spool" "$2" --deadline 30 --timeout "$3" \
        >"$WORK/submit$1.out" 2>"$WORK/submit$1.err" &
    bg_pid=$!; bg_track "$bg_pid"
    wait_for 10 "grep -q 'no ack within $3 ms' '$WORK/submit$1.err'" || fail "submit $1 never timed out waiting for an ack"
}

# retried WHAT: the aggregator (re)starts; the background submit must then end with exit 0.
retried() {
    start_aggregator
    local rc=0
    wait "$bg_pid" || rc=$?
    bg_pid=""
    [ "$rc" -eq 0 ] || fail "$1 exited $rc, expected 0"
}

# 1. Nobody listening: everything stays pending.
rc=0
collector submit "$WORK/spool" "$HZ_EXAMPLES/dongxihu-2024.csv" \
    --deadline 2 --timeout 300 >"$WORK/submit1.out" 2>"$WORK/submit1.err" || rc=$?
[ "$rc" -eq 4 ] || fail "submit without an aggregator exited $rc, expected 4"
[ "$(grep -c 'PENDING' "$WORK/submit1.out")" -eq 2 ] || fail "expected 2 PENDING lines"
[ "$(pb_count "$WORK/spool")" -eq 1 ] || fail "expected 1 spooled file (2 submissions), found $(pb_count "$WORK/spool")"
grep -q "^026 2024 " "$WORK/submit1.out" || fail "no line for 026 2024"

# 2. The aggregator comes up; flush delivers everything exactly once.
start_aggregator
rc=0
collector flush "$WORK/spool" >"$WORK/flush.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "flush exited $rc, expected 0"
[ "$(grep -c 'ACCEPTED v1 ' "$WORK/flush.out")" -eq 2 ] || fail "expected 2 'ACCEPTED v1' lines from flush"
grep -q replayed "$WORK/flush.out" && fail "a first delivery must not be a replay"
[ "$(pb_count "$WORK/spool")" -eq 0 ] || fail "spool not empty after flush: $(pb_count "$WORK/spool") left"
rc=0
collector flush "$WORK/spool" >"$WORK/flush2.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "flush of an empty spool exited $rc"
stop_aggregator

# 3. Submit first, the aggregator once it has timed out and retried: the retries carry it through.
retry_submit 2 "$HZ_EXAMPLES/dazhou-2023.csv" 1000
kill -0 "$bg_pid" 2>/dev/null || fail "submit gave up before the aggregator came up"
retried "late-aggregator submit"
grep -q '^335 2023 125 facts ACCEPTED v1 ' "$WORK/submit2.out" || fail "335 2023 not accepted as v1"
grep -q '^335001 2023 107 facts ACCEPTED v1 ' "$WORK/submit2.out" || fail "335001 2023 not accepted as v1"
[ "$(pb_count "$WORK/spool")" -eq 0 ] || fail "spool not empty after the late submit"

[ "$(grep -c ' 335 2023 .*ACCEPTED v1 flags' "$AGG_LOG")" -ge 1 ] || fail "aggregator did not log 335 2023"
grep -q ' 335 2023 .*ACCEPTED v2' "$AGG_LOG" && fail "335 2023 was stored twice"

# 4. Crash before commit: freeze the aggregator, let the submit send, kill it, replace it.
kill -STOP "$AGG_PID"
retry_submit 3 "$HZ_EXAMPLES/ningde-2024.csv" 400   # sent, waited and given up once
kill_aggregator
[ "$(pb_count "$WORK/spool")" -eq 1 ] || fail "the submission must still be spooled while nobody acked it"
retried "submit across an aggregator crash"
grep -q '^nd-ybj 2024 447 facts ACCEPTED v1 (' "$WORK/submit3.out" || fail "nd-ybj 2024 not accepted as a fresh v1"
grep -q 'no ack within 400 ms' "$WORK/submit3.err" || fail "the collector never timed out (test did not exercise a retry)"
[ "$(pb_count "$WORK/spool")" -eq 0 ] || fail "spool not empty after the crash test"

# 5. Clean stop.
stop_aggregator
echo "collector_retry: ok"
