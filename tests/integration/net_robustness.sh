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
source "$(dirname "$0")/lib.sh.inc"
FAIL_SHOW="*.out"
FAIL_TAIL=40

# Start-up checks.
rc=0
"$AGG" --db "$DB" --bind "$ENDPOINT" >"$WORK/nocurve.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "without --insecure: exit $rc, expected 2 (usage, README's exit codes)"
grep -q 'CURVE is required' "$WORK/nocurve.out" || fail "the refusal must say CURVE is required"
grep -q -- '--insecure' "$WORK/nocurve.out" || fail "the refusal must mention --insecure"
[ -e "$WORK/agg.sock" ] && fail "it bound the socket anyway"
rc=0; "$AGG" --help >"$WORK/help.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] && grep -q -- '--max-msg' "$WORK/help.out" || fail "--help: exit $rc or no option list"
rc=0; "$AGG" --bind "$ENDPOINT" --insecure >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "missing --db: exit $rc, expected 2"
rc=0; "$AGG" --db "$DB" --bind "nonsense://x" --insecure >"$WORK/badbind.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "bad endpoint: exit $rc, expected 2 (usage)"

start_aggregator --max-msg 20000
grep -q 'WARNING: --insecure' "$WORK/agg.log" || fail "no loud warning for --insecure"

probe3() { probe --timeout 3000 "$@"; }   # a generous timeout: every ack must come

head -c 1000 /dev/urandom >"$WORK/garbage"
probe3 "$WORK/garbage" >"$WORK/garbage.out" 2>&1 || fail "no ack for garbage"
grep -q 'status=REJECTED .*reason=malformed submission' "$WORK/garbage.out" || fail "garbage not rejected as malformed"
probe3 >"$WORK/empty.out" 2>&1 || fail "no ack for an empty message"
grep -q 'status=REJECTED' "$WORK/empty.out" || fail "empty message not rejected"
probe3 --frames 3 "$WORK/garbage" >"$WORK/frames.out" 2>&1 || fail "no ack for 3 frames"
grep -q 'reason=expected one frame' "$WORK/frames.out" || fail "3 frames not rejected for framing"

# Decodable, but no facts: rejected under its own id (field 1 id, 2 entity, 3 year).
printf '\x0a\x06abc123\x12\x03335\x18\xe7\x0f' >"$WORK/nofacts.pb"
probe3 "$WORK/nofacts.pb" >"$WORK/nofacts.out" 2>&1 || fail "no ack for a submission without facts"
grep -q 'id=abc123 .*status=REJECTED' "$WORK/nofacts.out" || fail "invalid submission not rejected under its id"

# A real submission, spooled but not sent, to replay through odd clients (one entity of
# dazhou-2023.csv: a file of one entity/year spools as a plain Submission).
grep -E '^(entity|335001),' "$HZ_EXAMPLES/dazhou-2023.csv" >"$WORK/335001.csv"
spool_only "$WORK/spool" "$WORK/335001.csv"
small=""
for f in "$WORK"/spool/*.pb; do
    [ "$(stat -c %s "$f")" -lt 20000 ] && small=$f
done
[ -n "$small" ] || fail "test setup: no spooled submission under 20000 bytes"
probe3 --req "$small" >"$WORK/req.out" 2>&1 || fail "no ack for a REQ client"
grep -q 'status=ACCEPTED version=1 replayed=0' "$WORK/req.out" || fail "REQ client's submission not accepted"

# Oversize: over --max-msg the connection is dropped, no ack; the server carries on.
head -c 30000 /dev/urandom >"$WORK/huge"
rc=0; probe3 --timeout 1000 "$WORK/huge" >"$WORK/huge.out" 2>&1 || rc=$?
[ "$rc" -eq 4 ] || fail "oversize message: probe exit $rc, expected 4 (no ack)"
kill -0 "$AGG_PID" 2>/dev/null || fail "aggregator died on an oversize message"

# Flood.
probe3 --repeat 300 "$WORK/garbage" >"$WORK/flood.out" 2>&1 || fail "flood: not every message was answered"
[ "$(grep -c 'status=REJECTED' "$WORK/flood.out")" -eq 300 ] || fail "flood: expected 300 rejections"

# Still serving real work.
rc=0
collector flush "$WORK/spool" >"$WORK/flush.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "flush after the abuse exited $rc"
# (the one spooled submission, already sent by the REQ client: its stored ack comes back)
[ "$(grep -c 'ACCEPTED v1 replayed' "$WORK/flush.out")" -eq 1 ] || fail "expected 1 ACCEPTED v1 replayed after the abuse"

stop_aggregator
echo "net_robustness: ok"
