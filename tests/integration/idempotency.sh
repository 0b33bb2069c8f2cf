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
    if [ -n "$agg_pid" ]; then kill -CONT "$agg_pid" 2>/dev/null; kill -9 "$agg_pid" 2>/dev/null; wait "$agg_pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: idempotency: $*" >&2
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

# Spool without sending (nobody listens on this endpoint).
spool_only() {
    "$COL" submit "$1" --to "ipc://$tmp/nobody.sock" --spool "$2" --deadline 1 --timeout 200 \
        >/dev/null 2>&1
    [ $? -eq 4 ] || fail "spooling $1 did not leave it pending"
}

start_agg

# 1. Flush, put the file back, flush again.
spool_only "$HZ_EXAMPLES/dazhou-2023.csv" "$tmp/spool"
mkdir -p "$tmp/copies"
cp "$tmp"/spool/*.pb "$tmp/copies/"
[ "$(ls "$tmp/copies" | wc -l)" -eq 2 ] || fail "expected 2 spooled submissions"
rc=0
"$COL" flush --to "$EP" --spool "$tmp/spool" >"$tmp/flush1.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "first flush exited $rc"
grep -q '^335 2023 123 facts ACCEPTED v1 (' "$tmp/flush1.out" || fail "first flush: 335 2023 not ACCEPTED v1"
cp "$tmp"/copies/*.pb "$tmp/spool/"
rc=0
"$COL" flush --to "$EP" --spool "$tmp/spool" >"$tmp/flush2.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "second flush exited $rc"
grep -q '^335 2023 123 facts ACCEPTED v1 replayed' "$tmp/flush2.out" || fail "second flush: 335 2023 not a replay of v1"
grep -q '^335001 2023 107 facts ACCEPTED v1 replayed' "$tmp/flush2.out" || fail "second flush: 335001 2023 not a replay of v1"
[ "$(find "$tmp/spool" -maxdepth 1 -name '*.pb' | wc -l)" -eq 0 ] || fail "replayed files must leave the spool"
# Same flags both times: the stored ack is what comes back.
f1=$(grep '^335 2023' "$tmp/flush1.out" | sed 's/.*(flags/(flags/')
f2=$(grep '^335 2023' "$tmp/flush2.out" | sed 's/.*(flags/(flags/')
[ "$f1" = "$f2" ] || fail "replayed ack flags differ: '$f1' vs '$f2'"

# The store itself, read by `huizong show` (the lead's tool) when it is built: one version.
versions() {
    "$HZ_BIN/huizong" show --db "$tmp/db" --entity "$1" --year "$2" --format json |
        grep -o '"submission_id"' | wc -l
}
if [ -x "$HZ_BIN/huizong" ]; then
    [ "$(versions 335 2023)" -eq 1 ] || fail "huizong show lists $(versions 335 2023) versions of 335 2023, expected 1"
fi

# 2. Five copies back to back on one connection.
spool_only "$HZ_EXAMPLES/suzhou-2024.csv" "$tmp/spool-sz"
one=$(ls "$tmp"/spool-sz/*.pb | head -1)
rc=0
"$COL" probe --to "$EP" --repeat 5 "$one" >"$tmp/probe.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "probe --repeat 5 exited $rc"
[ "$(grep -c 'status=ACCEPTED version=1 replayed=0' "$tmp/probe.out")" -eq 1 ] || fail "expected exactly one fresh v1 ack"
[ "$(grep -c 'status=ACCEPTED version=1 replayed=1' "$tmp/probe.out")" -eq 4 ] || fail "expected four replays of v1"

# 3. Freeze the aggregator so the collector's first attempt times out.
spool_only "$HZ_EXAMPLES/ningde-2024.csv" "$tmp/spool-nd"
kill -STOP "$agg_pid"
"$COL" flush --to "$EP" --spool "$tmp/spool-nd" --timeout 300 --deadline 30 \
    >"$tmp/pirate.out" 2>"$tmp/pirate.err" &
bg_pid=$!
for _ in $(seq 100); do   # until the collector has timed out and reconnected once
    grep -q 'no ack within 300 ms' "$tmp/pirate.err" 2>/dev/null && break
    sleep 0.1
done
sleep 0.5
kill -CONT "$agg_pid"
rc=0
wait "$bg_pid" || rc=$?
bg_pid=""
[ "$rc" -eq 0 ] || fail "flush across a frozen aggregator exited $rc"
grep -q 'no ack within 300 ms' "$tmp/pirate.err" || fail "the collector never timed out (test did not exercise a retry)"
n=$(grep -c ' ACCEPTED v1' "$tmp/pirate.out")
[ "$n" -ge 1 ] || fail "nothing accepted after the freeze"
grep -q 'ACCEPTED v2' "$tmp/pirate.out" && fail "a resend after a timeout created a second version"
grep -q ' nd-ybj 2024 .*ACCEPTED v2' "$tmp/agg.log" && fail "aggregator stored nd-ybj 2024 twice"

# 4. The same figures under a new id are a new version.
rc=0
"$COL" submit "$HZ_EXAMPLES/dazhou-2023.csv" --to "$EP" --spool "$tmp/spool" >"$tmp/again.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "resubmit exited $rc"
grep -q '^335 2023 123 facts ACCEPTED v2 (' "$tmp/again.out" || fail "a new id for 335 2023 should make v2"
if [ -x "$HZ_BIN/huizong" ]; then
    [ "$(versions 335 2023)" -eq 2 ] || fail "huizong show lists $(versions 335 2023) versions of 335 2023, expected 2"
    [ "$(versions nd-ybj 2024)" -eq 1 ] || fail "huizong show lists $(versions nd-ybj 2024) versions of nd-ybj 2024, expected 1"
fi

kill -TERM "$agg_pid"
rc=0
wait "$agg_pid" || rc=$?
agg_pid=""
[ "$rc" -eq 0 ] || fail "aggregator exited $rc after SIGTERM"
echo "idempotency: ok"
