#!/usr/bin/env bash
# net_robustness.sh -- the aggregator keeps serving whatever arrives.
#
#  - start-up: refuses to serve without CURVE or an explicit --insecure; usage errors
#    exit 2; a bad endpoint exits 1.
#  - garbage bytes, an empty message, wrong frame counts: REJECTED acks with a reason.
#  - a decodable but invalid submission is rejected under its own id.
#  - a REQ-style client (empty delimiter frame) gets its ack.
#  - a message over --max-msg drops that connection (no ack) and nothing else.
#  - a flood of 300 garbage messages on one connection: 300 rejections, then a real
#    submission is still accepted.
set -uo pipefail

: "${HZ_BIN:?HZ_BIN must name the directory of the built binaries}"
: "${HZ_EXAMPLES:?HZ_EXAMPLES must name the examples directory}"
AGG="$HZ_BIN/huizong-aggregator"
COL="$HZ_BIN/huizong-collector"
tmp=$(mktemp -d)
EP="ipc://$tmp/agg.sock"
agg_pid=""

cleanup() {
    if [ -n "$agg_pid" ]; then kill -9 "$agg_pid" 2>/dev/null; wait "$agg_pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: net_robustness: $*" >&2
    for f in "$tmp"/*.out "$tmp"/agg.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -40 "$f" >&2; }
    done
    exit 1
}

# Start-up checks.
rc=0
"$AGG" --db "$tmp/db" --bind "$EP" >"$tmp/nocurve.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "without --insecure: exit $rc, expected 1"
grep -q 'CURVE is required' "$tmp/nocurve.out" || fail "the refusal must say CURVE is required"
grep -q -- '--insecure' "$tmp/nocurve.out" || fail "the refusal must mention --insecure"
[ -e "$tmp/agg.sock" ] && fail "it bound the socket anyway"
rc=0; "$AGG" --help >"$tmp/help.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] && grep -q -- '--max-msg' "$tmp/help.out" || fail "--help: exit $rc or no option list"
rc=0; "$AGG" --bind "$EP" --insecure >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "missing --db: exit $rc, expected 2"
rc=0; "$AGG" --db "$tmp/db" --bind "nonsense://x" --insecure >"$tmp/badbind.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "bad endpoint: exit $rc, expected 1"

"$AGG" --db "$tmp/db" --bind "$EP" --hierarchy "$HZ_EXAMPLES/entities.csv" --insecure \
    --max-msg 20000 2>"$tmp/agg.log" &
agg_pid=$!
for _ in $(seq 50); do
    grep -q "serving $EP" "$tmp/agg.log" && break
    kill -0 "$agg_pid" 2>/dev/null || fail "aggregator died at start"
    sleep 0.1
done
grep -q 'WARNING: --insecure' "$tmp/agg.log" || fail "no loud warning for --insecure"

probe() { "$COL" probe --to "$EP" --timeout 3000 "$@"; }

head -c 1000 /dev/urandom >"$tmp/garbage"
probe "$tmp/garbage" >"$tmp/garbage.out" 2>&1 || fail "no ack for garbage"
grep -q 'status=REJECTED .*reason=malformed submission' "$tmp/garbage.out" || fail "garbage not rejected as malformed"
probe >"$tmp/empty.out" 2>&1 || fail "no ack for an empty message"
grep -q 'status=REJECTED' "$tmp/empty.out" || fail "empty message not rejected"
probe --frames 3 "$tmp/garbage" >"$tmp/frames.out" 2>&1 || fail "no ack for 3 frames"
grep -q 'reason=expected one frame' "$tmp/frames.out" || fail "3 frames not rejected for framing"

# Decodable, but no facts: rejected under its own id (field 1 id, 2 entity, 3 year).
printf '\x0a\x06abc123\x12\x03335\x18\xe7\x0f' >"$tmp/nofacts.pb"
probe "$tmp/nofacts.pb" >"$tmp/nofacts.out" 2>&1 || fail "no ack for a submission without facts"
grep -q 'id=abc123 .*status=REJECTED' "$tmp/nofacts.out" || fail "invalid submission not rejected under its id"

# A real submission, spooled but not sent, to replay through odd clients.
"$COL" submit "$HZ_EXAMPLES/dazhou-2023.csv" --to "ipc://$tmp/nobody.sock" --spool "$tmp/spool" \
    --deadline 1 --timeout 200 >/dev/null 2>&1
small=""
for f in "$tmp"/spool/*.pb; do
    [ "$(stat -c %s "$f")" -lt 20000 ] && small=$f
done
[ -n "$small" ] || fail "test setup: no spooled submission under 20000 bytes"
probe --req "$small" >"$tmp/req.out" 2>&1 || fail "no ack for a REQ client"
grep -q 'status=ACCEPTED version=1 replayed=0' "$tmp/req.out" || fail "REQ client's submission not accepted"

# Oversize: over --max-msg the connection is dropped, no ack; the server carries on.
head -c 30000 /dev/urandom >"$tmp/huge"
rc=0; probe --timeout 1000 "$tmp/huge" >"$tmp/huge.out" 2>&1 || rc=$?
[ "$rc" -eq 4 ] || fail "oversize message: probe exit $rc, expected 4 (no ack)"
kill -0 "$agg_pid" 2>/dev/null || fail "aggregator died on an oversize message"

# Flood.
probe --repeat 300 "$tmp/garbage" >"$tmp/flood.out" 2>&1 || fail "flood: not every message was answered"
[ "$(grep -c 'status=REJECTED' "$tmp/flood.out")" -eq 300 ] || fail "flood: expected 300 rejections"

# Still serving real work.
rc=0
"$COL" flush --to "$EP" --spool "$tmp/spool" >"$tmp/flush.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "flush after the abuse exited $rc"
[ "$(grep -c 'ACCEPTED v1' "$tmp/flush.out")" -eq 2 ] || fail "expected 2 ACCEPTED v1 after the abuse"

kill -TERM "$agg_pid"
rc=0; wait "$agg_pid" || rc=$?; agg_pid=""
[ "$rc" -eq 0 ] || fail "aggregator exited $rc after SIGTERM"
echo "net_robustness: ok"
