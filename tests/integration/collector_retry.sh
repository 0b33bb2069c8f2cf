#!/usr/bin/env bash
# collector_retry.sh -- store-and-forward when the aggregator is away.
#
#  1. submit with no aggregator and a short deadline: exit 4, every submission PENDING,
#     the spool holds one .pb per submission.
#  2. start the aggregator, flush: exit 0, every submission ACCEPTED v1, spool empty.
#  3. start a submit first and the aggregator 2 s later: the submit still succeeds.
#  4. An aggregator that dies (SIGKILL) before committing: the collector times out,
#     reconnects to its replacement on the same database and gets everything stored once.
#  5. SIGTERM stops the aggregator with exit 0.
set -uo pipefail

: "${HZ_BIN:?HZ_BIN must name the directory of the built binaries}"
: "${HZ_EXAMPLES:?HZ_EXAMPLES must name the examples directory}"
AGG="$HZ_BIN/huizong-aggregator"
COL="$HZ_BIN/huizong-collector"
tmp=$(mktemp -d)
EP="ipc://$tmp/agg.sock"
agg_pid=""
bg_pid=""

cleanup() {
    [ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
    if [ -n "$agg_pid" ]; then kill -9 "$agg_pid" 2>/dev/null; wait "$agg_pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: collector_retry: $*" >&2
    for f in "$tmp"/*.out "$tmp"/agg.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }
    done
    exit 1
}

start_agg() {
    "$AGG" --db "$tmp/db" --bind "$EP" --hierarchy "$HZ_EXAMPLES/entities.csv" --insecure \
        2>>"$tmp/agg.log" &
    agg_pid=$!
    for _ in $(seq 50); do
        grep -q "serving $EP" "$tmp/agg.log" 2>/dev/null && return 0
        kill -0 "$agg_pid" 2>/dev/null || fail "aggregator died at start"
        sleep 0.1
    done
    fail "aggregator did not start serving within 5 s"
}

stop_agg() {
    kill -TERM "$agg_pid"
    local rc=0
    wait "$agg_pid" || rc=$?
    agg_pid=""
    [ "$rc" -eq 0 ] || fail "aggregator exited $rc after SIGTERM (expected 0)"
}

pending() { find "$tmp/spool" -maxdepth 1 -name '*.pb' | wc -l; }

# 1. Nobody listening: everything stays pending.
rc=0
"$COL" submit "$HZ_EXAMPLES/dongxihu-2024.csv" --to "$EP" --spool "$tmp/spool" \
    --deadline 2 --timeout 300 >"$tmp/submit1.out" 2>"$tmp/submit1.err" || rc=$?
[ "$rc" -eq 4 ] || fail "submit without an aggregator exited $rc, expected 4"
[ "$(grep -c 'PENDING' "$tmp/submit1.out")" -eq 2 ] || fail "expected 2 PENDING lines"
[ "$(pending)" -eq 2 ] || fail "expected 2 spooled submissions, found $(pending)"
grep -q "^026 2024 " "$tmp/submit1.out" || fail "no line for 026 2024"

# 2. The aggregator comes up; flush delivers everything exactly once.
start_agg
rc=0
"$COL" flush --to "$EP" --spool "$tmp/spool" >"$tmp/flush.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "flush exited $rc, expected 0"
[ "$(grep -c 'ACCEPTED v1 ' "$tmp/flush.out")" -eq 2 ] || fail "expected 2 'ACCEPTED v1' lines from flush"
grep -q replayed "$tmp/flush.out" && fail "a first delivery must not be a replay"
[ "$(pending)" -eq 0 ] || fail "spool not empty after flush: $(pending) left"
rc=0
"$COL" flush --to "$EP" --spool "$tmp/spool" >"$tmp/flush2.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "flush of an empty spool exited $rc"
stop_agg

# 3. Submit first, aggregator 2 s later: the retries carry it through.
"$COL" submit "$HZ_EXAMPLES/dazhou-2023.csv" --to "$EP" --spool "$tmp/spool" \
    --deadline 30 --timeout 1000 >"$tmp/submit2.out" 2>"$tmp/submit2.err" &
bg_pid=$!
sleep 2
kill -0 "$bg_pid" 2>/dev/null || fail "submit gave up before the aggregator came up"
start_agg
rc=0
wait "$bg_pid" || rc=$?
bg_pid=""
[ "$rc" -eq 0 ] || fail "late-aggregator submit exited $rc, expected 0"
grep -q '^335 2023 123 facts ACCEPTED v1 ' "$tmp/submit2.out" || fail "335 2023 not accepted as v1"
grep -q '^335001 2023 107 facts ACCEPTED v1 ' "$tmp/submit2.out" || fail "335001 2023 not accepted as v1"
[ "$(pending)" -eq 0 ] || fail "spool not empty after the late submit"

[ "$(grep -c ' 335 2023 .*ACCEPTED v1 flags' "$tmp/agg.log")" -ge 1 ] || fail "aggregator did not log 335 2023"
grep -q ' 335 2023 .*ACCEPTED v2' "$tmp/agg.log" && fail "335 2023 was stored twice"

# 4. Crash before commit: freeze the aggregator, let the submit send, kill it, replace it.
kill -STOP "$agg_pid"
"$COL" submit "$HZ_EXAMPLES/ningde-2024.csv" --to "$EP" --spool "$tmp/spool" \
    --deadline 30 --timeout 400 >"$tmp/submit3.out" 2>"$tmp/submit3.err" &
bg_pid=$!
for _ in $(seq 100); do   # until the collector has sent, waited and given up once
    grep -q 'no ack within 400 ms' "$tmp/submit3.err" 2>/dev/null && break
    sleep 0.1
done
kill -9 "$agg_pid"; wait "$agg_pid" 2>/dev/null; agg_pid=""
[ "$(pending)" -eq 1 ] || fail "the submission must still be spooled while nobody acked it"
start_agg
rc=0
wait "$bg_pid" || rc=$?
bg_pid=""
[ "$rc" -eq 0 ] || fail "submit across an aggregator crash exited $rc, expected 0"
grep -q '^nd-ybj 2024 447 facts ACCEPTED v1 (' "$tmp/submit3.out" || fail "nd-ybj 2024 not accepted as a fresh v1"
grep -q 'no ack within 400 ms' "$tmp/submit3.err" || fail "the collector never timed out (test did not exercise a retry)"
[ "$(pending)" -eq 0 ] || fail "spool not empty after the crash test"

# 5. Clean stop.
stop_agg
echo "collector_retry: ok"
