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
# Printed: the small submissions' ack latency p50/p99, the longest turn, the aggregator's
# peak heap (RssAnon sampled from /proc/PID/status), and whether the issue's targets are met
# (small p99 <= 1 s; heap < 4 x the largest message): printed, never asserted (speed on a
# shared machine is not a test outcome). Asserted (behaviour, not speed):
# every small submission is acked (the latency is printed, not asserted: a bound on it would
# be a timing assertion); the peak heap stays under HEAP_FACTOR x the largest message
# (measured 7.6 x, 8.6-9.1 x before round 2, 17 x before findings were bounded per rule,
# docs/rules.md: 10 catches a return to either, with room for a loaded machine;
# the target is TARGET_HEAP_FACTOR); the big submission's findings are bounded: 1,000
# code.malformed listed and one summary for the other 99,000.
source "$(dirname "$0")/lib.sh.inc"
HEAP_FACTOR=${FAIR_HEAP_FACTOR:-10}
TARGET_P99_MS=1000
TARGET_HEAP_FACTOR=4
start_aggregator --queue 2
peak_file="$WORK/peak"
( peak=0; while kill -0 "$AGG_PID" 2>/dev/null; do
    v=$(awk '$1 == "RssAnon:" { print $2 }' "/proc/$AGG_PID/status" 2>/dev/null || true)
    if [ -n "$v" ] && [ "$v" -gt "$peak" ]; then peak=$v; echo "$peak" >"$peak_file"; fi
    sleep 0.05
  done ) &
bg_track $!
rc=0
"$KIT" fair --to "$ENDPOINT" --big-entity 608001 --small-entity 026001 --year 2024 \
  --big 6 --facts 100000 --tries 50 --gap 100 >"$WORK/fair.out" 2>"$WORK/fair.err" || rc=$?
cat "$WORK/fair.out"
[ "$rc" -eq 0 ] || fail "hz-testkit fair exited $rc: $(cat "$WORK/fair.err")"
line=$(grep '^small ' "$WORK/fair.out") || fail "no figures from hz-testkit fair"
p50=$(echo "$line" | sed -E 's/.*p50_ms=([0-9]+).*/\1/')
p99=$(echo "$line" | sed -E 's/.*p99_ms=([0-9]+).*/\1/')
big=$(echo "$line" | sed -E 's/.*big_bytes=([0-9]+).*/\1/')
longest=$(sed -nE 's/.*turn of [0-9]+ submission\(s\) took ([0-9]+) ms.*/\1/p' "$AGG_LOG" | sort -n | tail -1)
longest=${longest:-0}
peak_kb=$(cat "$peak_file" 2>/dev/null || echo 0)
echo "fair_service: small ack latency p50 ${p50} ms, p99 ${p99} ms; longest turn ${longest} ms;" \
     "peak heap $((peak_kb / 1024)) MiB = $((peak_kb * 1024 * 10 / big))/10 x the largest message ($((big / 1048576)) MiB)"
met() { if [ "$1" -eq 1 ]; then echo "met"; else echo "NOT met"; fi; }
echo "fair_service: target small p99 <= ${TARGET_P99_MS} ms: $(met $((p99 <= TARGET_P99_MS)))" \
     "(p99 ${p99} ms); target heap < ${TARGET_HEAP_FACTOR} x the largest message:" \
     "$(met $((peak_kb * 1024 < TARGET_HEAP_FACTOR * big)))"
# (under AddressSanitizer the heap holds its redzones and quarantine: not the program's)
is_sanitized "$AGG" || [ $((peak_kb * 1024)) -lt $((HEAP_FACTOR * big)) ] ||
  fail "peak heap ${peak_kb} kB is over ${HEAP_FACTOR} x the largest message (${big} bytes)"
# the bound on findings: a big submission's 100,000 malformed rows are 1,000 flags + 1 summary
grep -qE "608001 2024 .* ACCEPTED v1 flags E[0-9]+ W1002 " "$AGG_LOG" ||
  fail "the big submission's findings are not bounded (expected W1002: 1,000 listed, one summary, one other): $(grep -m1 '608001 2024' "$AGG_LOG")"
grep -q "batch bounds: 256 messages, 8388608 bytes, 100 ms; 2 queued messages per peer" "$AGG_LOG" ||
  fail "the aggregator does not log its batch bounds"
echo "fair_service: all good"
