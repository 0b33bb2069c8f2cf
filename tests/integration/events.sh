#!/usr/bin/env bash
# events.sh -- live events (--events, `huizong watch`): accepted + totals for the seeds, the
# snapshot of a late subscriber (--db), a dead and a stalled subscriber that do not slow the
# aggregator, and the gap a subscriber reports when the aggregator restarts.
source "$(dirname "$0")/lib.sh.inc"

EVENTS="ipc://$WORK/events.sock"
# Always started with &: exec makes $! the watcher itself, so signals reach it.
watch() { exec "$HZ" watch "$EVENTS" "$@"; }
# The SUB connects asynchronously and nothing tells when its subscription has reached the PUB
# (a PUB socket reports no joins): give a new subscriber time to join before publishing.
joined() { sleep 0.7; }

start_aggregator --events "$EVENTS"
wait_for 5 '[ -S "$WORK/events.sock" ]' || fail "no events socket"
wait_for 5 'grep -q "events on $EVENTS" "$AGG_LOG"' || fail "aggregator did not log its events endpoint"

# 1. accepted + totals for the seed budgets, as they happen.
watch --format json --timeout 20 >"$WORK/w1.json" 2>"$WORK/w1.err" &
W1=$!; bg_track "$W1"; joined
submit "$HZ_EXAMPLES/dongxihu-2024.csv" >/dev/null || fail "submit dongxihu"
submit "$HZ_EXAMPLES/suzhou-2024.csv" >/dev/null || fail "submit suzhou"
# suzhou's last event is the totals of its province 340000: then everything is in.
wait_for 6 'grep -q "\"kind\":\"totals\",\"entity\":\"340000\"" "$WORK/w1.json"' || true   # asserted below
kill -INT "$W1"; wait "$W1" || true
grep -q '"kind":"accepted","entity":"026","year":2024' "$WORK/w1.json" || fail "no accepted event for 026"
grep -q '"kind":"accepted","entity":"026001"' "$WORK/w1.json" || fail "no accepted event for 026001"
# 东西湖区 026's 支出总计 is 3311.22 万元 = 3311220000 fen, and it rolls up to 武汉市 420100.
grep -q '"kind":"totals","entity":"026".*"detail":"expense_total=3311220000 by=026' "$WORK/w1.json" ||
  fail "no totals event for 026 with 3311.22"
grep -q '"kind":"totals","entity":"420100".*expense_total=3311220000' "$WORK/w1.json" ||
  fail "no totals event for 420100"
grep -q '"kind":"flags","entity":"026"' "$WORK/w1.json" || fail "no flags event for 026"
seqs=$(grep -o '"seq":[0-9]*' "$WORK/w1.json" | cut -d: -f2)
first=${seqs%%$'\n'*}; n=$(wc -l <<<"$seqs")
[ "$(echo "$seqs" | tail -1)" = $((first + n - 1)) ] || fail "seq does not grow by one"
! grep -q '"gap"' "$WORK/w1.json" || fail "unexpected gap"
echo "ok: $n events, seq $first.. without gaps; accepted + flags + totals for the seeds"

# --count: exactly N events, then exit 0; text labels in Chinese.
watch --count 2 --timeout 10 >"$WORK/w2.txt" 2>"$WORK/w2.err" &
W2=$!; bg_track "$W2"; joined
submit "$HZ_EXAMPLES/ningde-2024.csv" >/dev/null || fail "submit ningde"
rc=0; wait "$W2" || rc=$?
[ "$rc" -eq 0 ] || fail "watch --count 2 exited $rc: $(cat "$WORK/w2.err")"
[ "$(wc -l <"$WORK/w2.txt")" -eq 2 ] || fail "watch --count 2 printed $(wc -l <"$WORK/w2.txt") lines"
grep -q "已接收 accepted" "$WORK/w2.txt" || fail "no 已接收 line: $(cat "$WORK/w2.txt")"
echo "ok: --count 2 printed two events: $(head -1 "$WORK/w2.txt" | cut -c1-60)..."

# 2. a late subscriber with --db gets the snapshot first (of the latest year, 2024: no
#    --year), then only newer events.
watch --db "$DB" --count 1 --timeout 10 >"$WORK/w3.txt" 2>"$WORK/w3.err" &
W3=$!; bg_track "$W3"; joined
grep -q "^快照 snapshot 026 .* v1 支出总计 3311.22 万元" "$WORK/w3.txt" || fail "snapshot lacks 026: $(head -3 "$WORK/w3.txt")"
grep -q "^快照 snapshot 420100 武汉市 2024 支出总计" "$WORK/w3.txt" || fail "snapshot lacks 420100"
submit "$HZ_EXAMPLES/dongxihu-2024.csv" >/dev/null || fail "resubmit dongxihu"
rc=0; wait "$W3" || rc=$?
[ "$rc" -eq 0 ] || fail "late watch exited $rc"
tail -n 1 "$WORK/w3.txt" >"$WORK/w3.last"
grep -q "^#[0-9]* " "$WORK/w3.last" || fail "no event after the snapshot"
echo "ok: late subscriber: $(grep -c '^快照' "$WORK/w3.txt") snapshot lines, then: $(tail -1 "$WORK/w3.txt" | cut -c1-50)..."

# 3. a subscriber killed mid-stream and one that stops reading do not slow the aggregator.
"$HZ" gen --out "$WORK/gen" --seed 5 --provinces 1 --cities 1 --districts 1 \
    --departments 12 --units 19 --faults 0 >/dev/null 2>&1 || fail "gen"
start_named_aggregator agg2 "$WORK/gen/entities.csv" --events "ipc://$WORK/ev2.sock"
"$HZ" watch "ipc://$WORK/ev2.sock" >"$WORK/w4.txt" 2>&1 &
W4=$!; bg_track "$W4"
"$HZ" watch "ipc://$WORK/ev2.sock" >"$WORK/w5.txt" 2>&1 &
W5=$!; bg_track "$W5"; joined
kill -STOP "$W5"                      # stalled: never reads again until the end
files=("$WORK"/gen/submissions/*.csv)
TO="ipc://$WORK/agg2.sock" collector submit "$WORK/sp2" "${files[@]:0:2}" >/dev/null ||
  fail "first submissions"
kill -9 "$W4"; wait "$W4" 2>/dev/null || true   # killed mid-stream
start=$(date +%s%N)
TO="ipc://$WORK/agg2.sock" collector submit "$WORK/sp2" "${files[@]:2}" \
    >"$WORK/sub2.txt" || fail "submissions after the subscriber died"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
accepted=$(grep -c ACCEPTED "$WORK/sub2.txt" || true)
[ "$accepted" -ge 200 ] || fail "only $accepted accepted after the subscriber died"
kill -0 "$PID_agg2" || fail "aggregator died"
grep -q "events on" "$WORK/agg2.log" || fail "aggregator 2 log"
verify_clean "$WORK/agg2"
echo "ok: $accepted more submissions accepted in $ms ms with one subscriber killed and one stalled"
kill -CONT "$W5"; kill "$W5"; wait "$W5" 2>/dev/null || true
stop_named_aggregator agg2

# 4. an aggregator restart is a gap the subscriber reports (exit 1).
watch --timeout 12 >"$WORK/w6.txt" 2>&1 &
W6=$!; bg_track "$W6"; joined
submit "$HZ_EXAMPLES/dongxihu-2024.csv" >/dev/null || fail "submit before restart"
stop_aggregator
start_aggregator --events "$EVENTS"
sleep 1.5                              # the SUB reconnects to the new PUB (not observable)
submit "$HZ_EXAMPLES/suzhou-2024.csv" >/dev/null || fail "submit after restart"
wait_for 5 'grep -q "^gap: " "$WORK/w6.txt"' || true   # asserted below
kill -INT "$W6"; rc=0; wait "$W6" || rc=$?
grep -q "^gap: missed events [0-9]*\.\.[0-9]* — resynchronise with huizong tree/flags --db" "$WORK/w6.txt" ||
  fail "no gap reported after the restart: $(tail -3 "$WORK/w6.txt")"
[ "$rc" -eq 1 ] || fail "watch should exit 1 after a gap, got $rc"
echo "ok: restart detected: $(grep '^gap' "$WORK/w6.txt" | cut -c1-60)..."
stop_aggregator

# 5. with CURVE on the ROUTER (ZAP handler in the same context) the events still flow.
keygen srv >/dev/null || fail "keygen srv"
COLKEY=$(keygen col) || fail "keygen col"
echo "$COLKEY  420112" >"$WORK/authorized"
start_aggregator --events "$EVENTS" --curve-secret "$KEYS/srv_secret" --authorized "$WORK/authorized"
watch --count 1 --timeout 10 >"$WORK/w7.txt" 2>&1 &
W7=$!; bg_track "$W7"; joined
submit "$HZ_EXAMPLES/dongxihu-2024.csv" --key "$KEYS/col_secret" --server-key "$KEYS/srv" >/dev/null || fail "CURVE submit"
rc=0; wait "$W7" || rc=$?
[ "$rc" -eq 0 ] && grep -qE "已接收 accepted 026(001)? " "$WORK/w7.txt" || fail "no event with CURVE on: $(cat "$WORK/w7.txt")"
echo "ok: events flow with CURVE on the submission socket"
stop_aggregator
echo "PASS events"
