#!/usr/bin/env bash
# events.sh -- live events (--events, `huizong watch`): accepted + totals for the seeds, the
# snapshot of a late subscriber (--db), a dead and a stalled subscriber that do not slow the
# aggregator, and the gap a subscriber reports when the aggregator restarts.
source "$(dirname "$0")/lib.sh.inc"

EVENTS="ipc://$WORK/events.sock"
W=()
stop_watchers() { for p in "${W[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap 'stop_watchers; cleanup' EXIT
# Always started with &: exec makes $! the watcher itself, so signals reach it.
watch() { exec "$HZ_BIN/huizong" watch "$EVENTS" "$@"; }
# The SUB connects asynchronously: give a new subscriber time to join before publishing.
joined() { sleep 0.7; }

start_aggregator --events "$EVENTS"
[ -S "$WORK/events.sock" ] || fail "no events socket"
grep -q "events on $EVENTS" "$WORK/agg.log" || fail "aggregator did not log its events endpoint"

# 1. accepted + totals for the seed budgets, as they happen.
watch --format json --timeout 20 >"$WORK/w1.json" 2>"$WORK/w1.err" &
W1=$!; W+=("$W1"); joined
submit "$HZ_EXAMPLES/dongxihu-2024.csv" >/dev/null || fail "submit dongxihu"
submit "$HZ_EXAMPLES/suzhou-2024.csv" >/dev/null || fail "submit suzhou"
# suzhou's last event is the totals of its province 340000: then everything is in.
for _ in $(seq 1 60); do grep -q '"kind":"totals","entity":"340000"' "$WORK/w1.json" && break; sleep 0.1; done
sleep 0.2
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
first=$(echo "$seqs" | head -1); n=$(echo "$seqs" | wc -l)
[ "$(echo "$seqs" | tail -1)" = $((first + n - 1)) ] || fail "seq does not grow by one"
! grep -q '"gap"' "$WORK/w1.json" || fail "unexpected gap"
echo "ok: $n events, seq $first.. without gaps; accepted + flags + totals for the seeds"

# --count: exactly N events, then exit 0; text labels in Chinese.
watch --count 2 --timeout 10 >"$WORK/w2.txt" 2>"$WORK/w2.err" &
W2=$!; W+=("$W2"); joined
submit "$HZ_EXAMPLES/ningde-2024.csv" >/dev/null || fail "submit ningde"
rc=0; wait "$W2" || rc=$?
[ "$rc" -eq 0 ] || fail "watch --count 2 exited $rc: $(cat "$WORK/w2.err")"
[ "$(wc -l <"$WORK/w2.txt")" -eq 2 ] || fail "watch --count 2 printed $(wc -l <"$WORK/w2.txt") lines"
grep -q "已接收 accepted" "$WORK/w2.txt" || fail "no 已接收 line: $(cat "$WORK/w2.txt")"
echo "ok: --count 2 printed two events: $(head -1 "$WORK/w2.txt" | cut -c1-60)..."

# 2. a late subscriber with --db gets the snapshot first (of the latest year, 2024: no
#    --year), then only newer events.
watch --db "$DB" --count 1 --timeout 10 >"$WORK/w3.txt" 2>"$WORK/w3.err" &
W3=$!; W+=("$W3"); joined
grep -q "^快照 snapshot 026 .* v1 支出总计 3311.22 万元" "$WORK/w3.txt" || fail "snapshot lacks 026: $(head -3 "$WORK/w3.txt")"
grep -q "^快照 snapshot 420100 武汉市 2024 支出总计" "$WORK/w3.txt" || fail "snapshot lacks 420100"
submit "$HZ_EXAMPLES/dongxihu-2024.csv" >/dev/null || fail "resubmit dongxihu"
rc=0; wait "$W3" || rc=$?
[ "$rc" -eq 0 ] || fail "late watch exited $rc"
tail -1 "$WORK/w3.txt" | grep -q "^#[0-9]* " || fail "no event after the snapshot"
echo "ok: late subscriber: $(grep -c '^快照' "$WORK/w3.txt") snapshot lines, then: $(tail -1 "$WORK/w3.txt" | cut -c1-50)..."

# 3. a subscriber killed mid-stream and one that stops reading do not slow the aggregator.
"$HZ_BIN/huizong" gen --out "$WORK/gen" --seed 5 --provinces 1 --cities 1 --districts 1 \
    --departments 12 --units 19 --faults 0 >/dev/null 2>&1 || fail "gen"
"$HZ_BIN/huizong-aggregator" --db "$WORK/db2" --bind "ipc://$WORK/agg2.sock" --events "ipc://$WORK/ev2.sock" \
    --hierarchy "$WORK/gen/entities.csv" --insecure >>"$WORK/agg2.log" 2>&1 &
A2=$!; W+=("$A2")
for _ in $(seq 1 100); do [ -S "$WORK/agg2.sock" ] && break; sleep 0.05; done
"$HZ_BIN/huizong" watch "ipc://$WORK/ev2.sock" >"$WORK/w4.txt" 2>&1 &
W4=$!; W+=("$W4")
"$HZ_BIN/huizong" watch "ipc://$WORK/ev2.sock" >"$WORK/w5.txt" 2>&1 &
W5=$!; W+=("$W5"); joined
kill -STOP "$W5"                      # stalled: never reads again until the end
files=("$WORK"/gen/submissions/*.csv)
"$HZ_BIN/huizong-collector" submit "${files[@]:0:2}" --to "ipc://$WORK/agg2.sock" --spool "$WORK/sp2" >/dev/null ||
  fail "first submissions"
kill -9 "$W4"; wait "$W4" 2>/dev/null || true   # killed mid-stream
start=$(date +%s%N)
"$HZ_BIN/huizong-collector" submit "${files[@]:2}" --to "ipc://$WORK/agg2.sock" --spool "$WORK/sp2" \
    >"$WORK/sub2.txt" || fail "submissions after the subscriber died"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
accepted=$(grep -c ACCEPTED "$WORK/sub2.txt")
[ "$accepted" -ge 200 ] || fail "only $accepted accepted after the subscriber died"
kill -0 "$A2" || fail "aggregator died"
grep -q "events on" "$WORK/agg2.log" || fail "aggregator 2 log"
"$HZ_BIN/huizong" verify --db "$WORK/db2" >/dev/null || fail "verify db2"
echo "ok: $accepted more submissions accepted in $ms ms with one subscriber killed and one stalled"
kill -CONT "$W5"; kill "$W5"; wait "$W5" 2>/dev/null || true
kill -TERM "$A2"; wait "$A2" || fail "aggregator 2 did not stop cleanly"

# 4. an aggregator restart is a gap the subscriber reports (exit 1).
watch --timeout 12 >"$WORK/w6.txt" 2>&1 &
W6=$!; W+=("$W6"); joined
submit "$HZ_EXAMPLES/dongxihu-2024.csv" >/dev/null || fail "submit before restart"
stop_aggregator
start_aggregator --events "$EVENTS"
sleep 1.5                              # the SUB reconnects to the new PUB
submit "$HZ_EXAMPLES/suzhou-2024.csv" >/dev/null || fail "submit after restart"
sleep 0.5
kill -INT "$W6"; rc=0; wait "$W6" || rc=$?
grep -q "^gap: missed events [0-9]*\.\.[0-9]* — resynchronise with huizong tree/flags --db" "$WORK/w6.txt" ||
  fail "no gap reported after the restart: $(tail -3 "$WORK/w6.txt")"
[ "$rc" -eq 1 ] || fail "watch should exit 1 after a gap, got $rc"
echo "ok: restart detected: $(grep '^gap' "$WORK/w6.txt" | cut -c1-60)..."
stop_aggregator

# 5. with CURVE on the ROUTER (ZAP handler in the same context) the events still flow.
K="$WORK/keys"; mkdir -p "$K"
"$HZ_BIN/huizong" keygen --out "$K/srv" >/dev/null 2>&1 || fail "keygen srv"
COL=$("$HZ_BIN/huizong" keygen --out "$K/col" 2>/dev/null) || fail "keygen col"
echo "$COL  420112" >"$WORK/authorized"
rm -f "$WORK/agg.sock" "$WORK/events.sock"
"$HZ_BIN/huizong-aggregator" --db "$DB" --bind "$ENDPOINT" --events "$EVENTS" \
    --curve-secret "$K/srv_secret" --authorized "$WORK/authorized" >>"$WORK/agg.log" 2>&1 &
AGG_PID=$!
for _ in $(seq 1 100); do [ -S "$WORK/agg.sock" ] && break; sleep 0.05; done
watch --count 1 --timeout 10 >"$WORK/w7.txt" 2>&1 &
W7=$!; W+=("$W7"); joined
"$HZ_BIN/huizong-collector" submit "$HZ_EXAMPLES/dongxihu-2024.csv" --to "$ENDPOINT" --spool "$WORK/spool" \
    --key "$K/col_secret" --server-key "$K/srv" >/dev/null || fail "CURVE submit"
rc=0; wait "$W7" || rc=$?
[ "$rc" -eq 0 ] && grep -qE "已接收 accepted 026(001)? " "$WORK/w7.txt" || fail "no event with CURVE on: $(cat "$WORK/w7.txt")"
echo "ok: events flow with CURVE on the submission socket"
W=()
stop_aggregator
echo "PASS events"
