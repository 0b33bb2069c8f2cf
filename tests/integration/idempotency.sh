#!/usr/bin/env bash
# idempotency.sh -- a submission id is applied at most once.
#
#  1. A spooled submission is flushed (ACCEPTED v1), then the same spool file is put back
#     and flushed again: the ack says replayed, with the same version.
#  2. The same message sent 5 times back to back on one connection (so likely in one
#     batch): one stored version, four replays of it.
#  3. Lazy Pirate: the aggregator is frozen (SIGSTOP) while a submit times out and
#     reconnects; after SIGCONT both the original and the resend arrive, and the store
#     still holds one version.
#  4. A new submission of the same figures (a new id) does make version 2.
source "$(dirname "$0")/lib.sh.inc"
FAIL_SHOW="*.out"
FAIL_TAIL=100
bg_pid=""

start_aggregator

# 1. Flush, put the file back, flush again.
spool_only "$WORK/spool" "$HZ_EXAMPLES/dazhou-2023.csv"
mkdir -p "$WORK/copies"
cp "$WORK"/spool/*.pb "$WORK/copies/"
[ "$(ls "$WORK/copies" | wc -l)" -eq 1 ] || fail "expected 1 spooled file (335 and 335001 travel as one)"
rc=0
collector flush "$WORK/spool" >"$WORK/flush1.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "first flush exited $rc"
grep -q '^335 2023 125 facts ACCEPTED v1 (' "$WORK/flush1.out" || fail "first flush: 335 2023 not ACCEPTED v1"
cp "$WORK"/copies/*.pb "$WORK/spool/"
rc=0
collector flush "$WORK/spool" >"$WORK/flush2.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "second flush exited $rc"
grep -q '^335 2023 125 facts ACCEPTED v1 replayed' "$WORK/flush2.out" || fail "second flush: 335 2023 not a replay of v1"
grep -q '^335001 2023 107 facts ACCEPTED v1 replayed' "$WORK/flush2.out" || fail "second flush: 335001 2023 not a replay of v1"
[ "$(pb_count "$WORK/spool")" -eq 0 ] || fail "replayed files must leave the spool"
# Same flags both times: the stored ack is what comes back.
f1=$(grep '^335 2023' "$WORK/flush1.out" | sed 's/.*(已入库/(已入库/') || true
f2=$(grep '^335 2023' "$WORK/flush2.out" | sed 's/.*(已入库/(已入库/') || true
[ "$f1" = "$f2" ] || fail "replayed ack flags differ: '$f1' vs '$f2'"

# The store itself, read by `huizong show` (the lead's tool) when it is built: one version.
versions() { versions_of "$1" "$2" | wc -l; }
if [ -x "$HZ_BIN/huizong" ]; then
    [ "$(versions 335 2023)" -eq 1 ] || fail "huizong show lists $(versions 335 2023) versions of 335 2023, expected 1"
fi

# 2. Five copies back to back on one connection.
spool_only "$WORK/spool-sz" "$HZ_EXAMPLES/suzhou-2024.csv"
one=$(ls "$WORK"/spool-sz/*.pb | head -1) || true
rc=0
probe --repeat 5 "$one" >"$WORK/probe.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "probe --repeat 5 exited $rc"
[ "$(grep -c 'status=ACCEPTED version=1 replayed=0' "$WORK/probe.out")" -eq 1 ] || fail "expected exactly one fresh v1 ack"
[ "$(grep -c 'status=ACCEPTED version=1 replayed=1' "$WORK/probe.out")" -eq 4 ] || fail "expected four replays of v1"

# 3. Freeze the aggregator so the collector's first attempt times out.
spool_only "$WORK/spool-nd" "$HZ_EXAMPLES/ningde-2024.csv"
kill -STOP "$AGG_PID"
collector flush "$WORK/spool-nd" --timeout 300 --deadline 30 \
    >"$WORK/pirate.out" 2>"$WORK/pirate.err" &
bg_pid=$!; bg_track "$bg_pid"
# until the collector has timed out, reconnected, resent and timed out again: the original
# and the resend are both queued at the frozen aggregator (asserted again below)
wait_for 10 '[ "$(grep -c "no ack within 300 ms" "$WORK/pirate.err" 2>/dev/null)" -ge 2 ]' || true
kill -CONT "$AGG_PID"
rc=0
wait "$bg_pid" || rc=$?
bg_pid=""
[ "$rc" -eq 0 ] || fail "flush across a frozen aggregator exited $rc"
grep -q 'no ack within 300 ms' "$WORK/pirate.err" || fail "the collector never timed out (test did not exercise a retry)"
n=$(grep -c ' ACCEPTED v1' "$WORK/pirate.out" || true)
[ "$n" -ge 1 ] || fail "nothing accepted after the freeze"
grep -q 'ACCEPTED v2' "$WORK/pirate.out" && fail "a resend after a timeout created a second version"
grep -q ' nd-ybj 2024 .*ACCEPTED v2' "$WORK/agg.log" && fail "aggregator stored nd-ybj 2024 twice"

# 4. The same figures under a new id are a new version.
rc=0
submit "$HZ_EXAMPLES/dazhou-2023.csv" >"$WORK/again.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "resubmit exited $rc"
grep -q '^335 2023 125 facts ACCEPTED v2 (' "$WORK/again.out" || fail "a new id for 335 2023 should make v2"
if [ -x "$HZ_BIN/huizong" ]; then
    [ "$(versions 335 2023)" -eq 2 ] || fail "huizong show lists $(versions 335 2023) versions of 335 2023, expected 2"
    [ "$(versions nd-ybj 2024)" -eq 1 ] || fail "huizong show lists $(versions nd-ybj 2024) versions of nd-ybj 2024, expected 1"
fi

stop_aggregator
echo "idempotency: ok"
