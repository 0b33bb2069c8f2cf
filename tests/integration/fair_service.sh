#!/usr/bin/env bash
# Fair service (issue 10, finding 6): one collector streams six ~50 MB submissions (100,000
# facts each) while another sends 50 one-fact submissions, one every 100 ms (open loop:
# hz-testkit fair). A batch is bounded by bytes and time as well as count (--batch-bytes,
# --batch-ms), a large submission is decoded and checked in a turn of its own and committed
# alone in another, each followed by a turn of the small ones received meanwhile, and a
# connection's queue is bounded (--queue 2), so a small submission waits for at most ONE
# large turn (plus a batch of small ones), never for a batch of large ones, and the large
# ones do not pile up in the aggregator's memory.
#
# Two runs, each on a fresh aggregator:
#  1. the big peer sends as huizong-collector does: at most --window-bytes (8 MiB, its
#     default) in flight, so one 50 MB submission at a time (hz-testkit fair --window-bytes);
#  2. the big peer ignores that and keeps six in flight (a hostile or older sender): the
#     aggregator's own bounds (--queue, one parked) are all that hold it.
#
# Printed for each: the small submissions' ack latency p50/p99, the longest turn, the
# aggregator's peak heap (RssAnon sampled from /proc/PID/status), and whether the issue's
# targets are met (small p99 <= 1 s; heap < 4 x the largest message): printed, never
# asserted for the latency (speed on a shared machine is not a test outcome). Asserted
# (behaviour, not speed): every small submission is acked; the peak heap stays under
# HEAP_FACTOR x the largest message in run 1 (the target, 4: measured 3.0-3.1 x; 7.3-7.7 x
# before the decoder's arena, LMDB's pages handed back and the payload freed after decoding:
# docs/performance.md, "Issue 10") and under HOSTILE_HEAP_FACTOR in run 2 (measured 6.0-7.0 x,
# 7.3-7.7 x before; 10 catches a return to the 17 x of unbounded findings with room for a loaded
# machine); the big submission's findings are bounded: 1,000 code.malformed listed and one
# summary for the other 99,000.
source "$(dirname "$0")/lib.sh.inc"
HEAP_FACTOR=${FAIR_HEAP_FACTOR:-4}
HOSTILE_HEAP_FACTOR=${FAIR_HOSTILE_HEAP_FACTOR:-10}
TARGET_P99_MS=1000
TARGET_HEAP_FACTOR=4
COLLECTOR_WINDOW_BYTES=8388608          # huizong-collector's default --window-bytes

# fair_run NAME PID LOG FACTOR HZ-TESTKIT-OPTIONS...: samples PID's peak heap while the
# probe runs against ipc://$WORK/NAME.sock, prints the figures, asserts the heap bound.
fair_run() {
  local name=$1 pid=$2 log=$3 factor=$4 ep="ipc://$WORK/$1.sock"; shift 4
  local peak_file="$WORK/$name.peak" out="$WORK/$name.out" rc=0
  ( peak=0; while kill -0 "$pid" 2>/dev/null; do
      v=$(awk '$1 == "RssAnon:" { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
      if [ -n "$v" ] && [ "$v" -gt "$peak" ]; then peak=$v; echo "$peak" >"$peak_file"; fi
      sleep 0.05
    done ) &
  bg_track $!
  "$KIT" fair --to "$ep" --big-entity 608001 --small-entity 026001 --year 2024 \
    --big 6 --facts 100000 --tries 50 --gap 100 "$@" >"$out" 2>"$WORK/$name.err" || rc=$?
  sed "s/^/$name: /" "$out"
  [ "$rc" -eq 0 ] || fail "hz-testkit fair ($name) exited $rc: $(cat "$WORK/$name.err")"
  local line p50 p99 big longest peak_kb
  line=$(grep '^small ' "$out") || fail "no figures from hz-testkit fair ($name)"
  p50=$(echo "$line" | sed -E 's/.*p50_ms=([0-9]+).*/\1/')
  p99=$(echo "$line" | sed -E 's/.*p99_ms=([0-9]+).*/\1/')
  big=$(echo "$line" | sed -E 's/.*big_bytes=([0-9]+).*/\1/')
  longest=$(sed -nE 's/.*turn of [0-9]+ submission\(s\) took ([0-9]+) ms.*/\1/p' "$log" | sort -n | tail -1)
  longest=${longest:-0}
  peak_kb=$(cat "$peak_file" 2>/dev/null || echo 0)
  echo "fair_service ($name): small ack latency p50 ${p50} ms, p99 ${p99} ms; longest turn ${longest} ms;" \
       "peak heap $((peak_kb / 1024)) MiB = $((peak_kb * 1024 * 10 / big))/10 x the largest message ($((big / 1048576)) MiB)"
  met() { if [ "$1" -eq 1 ]; then echo "met"; else echo "NOT met"; fi; }
  echo "fair_service ($name): target small p99 <= ${TARGET_P99_MS} ms: $(met $((p99 <= TARGET_P99_MS)))" \
       "(p99 ${p99} ms); target heap < ${TARGET_HEAP_FACTOR} x the largest message:" \
       "$(met $((peak_kb * 1024 < TARGET_HEAP_FACTOR * big)))"
  # (under AddressSanitizer the heap holds its redzones and quarantine: not the program's)
  is_sanitized "$AGG" || [ $((peak_kb * 1024)) -lt $((factor * big)) ] ||
    fail "$name: peak heap ${peak_kb} kB is over ${factor} x the largest message (${big} bytes)"
}

# 1. as the collector sends
start_named_aggregator collector "$HIERARCHY" --queue 2
fair_run collector "$PID_collector" "$WORK/collector.log" "$HEAP_FACTOR" \
  --window-bytes "$COLLECTOR_WINDOW_BYTES"
AGG_LOG="$WORK/collector.log"           # what fail() shows from here on
# the bound on findings: a big submission's 100,000 malformed rows are 1,000 flags + 1 summary
grep -qE "608001 2024 .* ACCEPTED v1 flags E[0-9]+ W1002 " "$AGG_LOG" ||
  fail "the big submission's findings are not bounded (expected W1002: 1,000 listed, one summary, one other): $(grep -m1 '608001 2024' "$AGG_LOG")"
grep -q "batch bounds: 256 messages, 8388608 bytes, 100 ms; 2 queued messages per peer" "$AGG_LOG" ||
  fail "the aggregator does not log its batch bounds"
stop_named_aggregator collector

# 2. a peer that keeps six 50 MB submissions in flight
start_named_aggregator hostile "$HIERARCHY" --queue 2
AGG_LOG="$WORK/hostile.log"
fair_run hostile "$PID_hostile" "$AGG_LOG" "$HOSTILE_HEAP_FACTOR" --window 6
stop_named_aggregator hostile
echo "fair_service: all good"
