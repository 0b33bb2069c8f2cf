#!/usr/bin/env bash
# federation.sh -- two city aggregators forward their consolidated figures (--upstream --as)
# to one province aggregator. The province's figures must equal a single aggregator that
# received every submission itself; a province that is down while the cities keep working
# catches up when it comes back, with nothing lost and `huizong verify` clean.
source "$(dirname "$0")/lib.sh.inc"

H="$WORK/gen/entities.csv"
FAIL_SHOW="collector.log"
# Each aggregator NAME: db $WORK/NAME, ipc://$WORK/NAME.sock, log $WORK/NAME.log (lib.sh.inc).
agg() { start_named_aggregator "$@"; }   # agg NAME HIERARCHY [options...]
stop() { stop_named_aggregator "$1"; }   # stop NAME: SIGTERM, expect a clean exit 0
send() {   # send NAME FILES...
  local name=$1; shift
  TO="ipc://$WORK/$name.sock" collector submit "$WORK/spool-$name" "$@" \
      >>"$WORK/collector.log" 2>&1 || fail "submit to $name failed (see $WORK/collector.log)"
}
# reported figures of one node, every table: code,table,row,column,reported (the figures
# only: rows marked withdrawn (status, column 18) name the unit that dropped a figure, which
# only the aggregator holding that unit's versions knows)
TABLES="summary income expense fiscal gpb_func gpb_econ three_public gfb_func soe_func projects"
reported() {
  for t in $TABLES; do
    "$HZ" tree --db "$WORK/$1" --year 2024 --entity "$2" --depth 0 --table "$t" --format csv --header ids |
      awk -F, 'NR > 1 && $18 == "" { print $1 "," $10 "," $11 "," $13 "," $14 }'
  done
}
# wait until the province's figures of ENTITY equal the single aggregator's (10 s at most)
converge() {
  local e=$1
  wait_for 10 '[ "$(reported prov "$e")" = "$(reported single "$e")" ] && [ -n "$(reported single "$e")" ]' && return 0
  diff <(reported prov "$1") <(reported single "$1") | head -5 >&2
  fail "province figures of $1 did not converge with the single aggregator"
}

"$HZ" gen --out "$WORK/gen" --seed 11 --provinces 1 --cities 2 --districts 1 \
    --departments 2 --units 2 --faults 0 >/dev/null 2>&1 || fail "gen failed"
"$HZ" gen --out "$WORK/gen2" --seed 12 --provinces 1 --cities 2 --districts 1 \
    --departments 2 --units 2 --faults 0 >/dev/null 2>&1 || fail "gen failed"
cmp -s "$H" "$WORK/gen2/entities.csv" || fail "the two generated data sets must share one hierarchy"
PROV=$(awk -F, '$3 == "province" { print $1 }' "$H")
CITIES=($(awk -F, '$3 == "city" { print $1 }' "$H"))
[ "${#CITIES[@]}" -eq 2 ] || fail "expected 2 cities in $H"
C1=${CITIES[0]} C2=${CITIES[1]}
# The province only needs the nodes down to the cities it receives forwards for.
awk -F, 'NR == 1 || $3 == "province" || $3 == "city"' "$H" >"$WORK/prov-entities.csv"
files_of() { ls "$1"/submissions/${2:0:4}*.csv; }   # department files of a city (code prefix)

# The province runs CURVE: each city aggregator's link key may forward for its city only.
keygen prov "province aggregator" >/dev/null || fail "keygen prov"
L1=$(keygen link1 "$C1 aggregator") || fail "keygen link1"
L2=$(keygen link2 "$C2 aggregator") || fail "keygen link2"
printf '%s  %s  # city aggregator\n%s  %s  # city aggregator\n' "$L1" "$C1" "$L2" "$C2" >"$WORK/prov-authorized"
PROV_SEC=(--curve-secret "$KEYS/prov_secret" --authorized "$WORK/prov-authorized")
link() { echo --upstream "ipc://$WORK/prov.sock" --upstream-key "$KEYS/${1}_secret" --upstream-server-key "$KEYS/prov"; }

agg prov "$WORK/prov-entities.csv" "${PROV_SEC[@]}"
agg single "$H"
agg c1 "$H" $(link link1) --as "$C1" --upstream-interval 200
agg c2 "$H" $(link link2) --as "$C2" --upstream-interval 200
grep -q "upstream: forwarding $C1 .* (CURVE)" "$WORK/c1.log" || fail "c1 does not forward with CURVE"

send c1 $(files_of "$WORK/gen" "$C1")
send c2 $(files_of "$WORK/gen" "$C2")
send single "$WORK"/gen/submissions/*.csv
for e in "$PROV" "$C1" "$C2"; do converge "$e"; done
echo "ok: province $PROV and cities $C1 $C2 equal a single aggregator ($(reported prov "$PROV" | wc -l) figures each)"
expense() { reported "$1" "$2" | awk -F, '$2 == "summary" && $3 == "expense_total" { print $5 }'; }
[ -n "$(expense prov "$PROV")" ] || fail "the province has no 支出总计"
echo "ok: province 支出总计 $(expense prov "$PROV") 万元"
grep -q "upstream: $C1 2024 forwarded" "$WORK/c1.log" || fail "c1 did not log its forward"

# The province goes down; the cities keep accepting, and spool their forwards.
stop prov
send c1 $(files_of "$WORK/gen2" "$C1")
send single $(files_of "$WORK/gen2" "$C1")
wait_for 5 '[ "$(pb_count "$WORK/c1/upstream-spool")" -gt 0 ]' || fail "c1 did not spool its forward while the province was down"
echo "ok: province down: c1 accepted the new version and spooled its forward"
[ "$(expense c1 "$C1")" = "$(expense single "$C1")" ] || fail "c1 and single disagree on $C1"

# A city restart with a forward pending loses nothing either.
stop c1
agg c1 "$H" $(link link1) --as "$C1" --upstream-interval 200
agg prov "$WORK/prov-entities.csv" "${PROV_SEC[@]}"
for e in "$PROV" "$C1" "$C2"; do converge "$e"; done
echo "ok: the province came back and caught up: figures equal the single aggregator again"
wait_for 5 '[ "$(pb_count "$WORK/c1/upstream-spool")" -eq 0 ]' || fail "c1's upstream spool is not empty after the catch-up"
"$HZ" show --db "$WORK/prov" --year 2024 --entity "$C1" >"$WORK/show.txt" 2>&1 || true
verify_clean "$WORK/prov"
echo "ok: province verify clean, c1 spool empty"

# An unchanged city (a replayed submission changes nothing) does not forward again.
n1=$(grep -c "upstream: $C2 2024 forwarded" "$WORK/c2.log" || true)
send c2 $(files_of "$WORK/gen" "$C2")
sleep 0.6   # three --upstream-interval ticks: a forward that is not to happen has no event to wait for
n2=$(grep -c "upstream: $C2 2024 forwarded" "$WORK/c2.log" || true)
[ "$n1" = "$n2" ] || fail "c2 forwarded identical figures again ($n1 -> $n2)"
echo "ok: identical figures are not forwarded twice"

# A link key forwarding for a city it is not authorised for is refused by the province:
# the forward lands in rejected/ with the reason, and the province's figures do not move.
before=$(reported prov "$PROV")
agg c3 "$H" $(link link1) --as "$C2" --upstream-interval 200 --upstream-spool "$WORK/c3-spool"
send c3 $(files_of "$WORK/gen2" "$C2")
wait_for 5 'ls "$WORK"/c3-spool/rejected/*.reason >/dev/null 2>&1' || fail "an unauthorised forward was not rejected"
grep -q "REJECTED by" "$WORK/c3.log" || fail "c3 did not log the rejection"
[ "$(reported prov "$PROV")" = "$before" ] || fail "an unauthorised forward changed the province"
echo "ok: unauthorised forward rejected: $(head -c 100 "$WORK"/c3-spool/rejected/*.reason)"

stop c1; stop c2; stop c3; stop prov; stop single
echo "PASS federation"
