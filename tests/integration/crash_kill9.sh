#!/usr/bin/env bash
# crash_kill9.sh -- nothing acked is ever lost, nothing is applied twice or by halves, while
# the aggregator is SIGKILLed at random moments (docs/durability.md).
#
#  - `huizong gen` makes 12 department files (48 submissions: 36 units, 12 departments; each
#    file's four travel as one message, applied whole).
#  - 4 long-running collectors (`run --watch`, one spool each) get them in rounds; in round
#    r > 1 every amount of a file is changed (…NN -> …NN00rr, +r fen), so each round is a
#    resubmission with new ids and new figures and versions advance while we kill. A round
#    goes in once the previous one is delivered, until enough kills happened (4-16 rounds).
#  - The aggregator (--batch 2: many small group commits) is SIGKILLed as soon as it has
#    logged its k-th commit (k random in 1..16), i.e. while a round is being delivered, and
#    restarted on the same --db: at least MIN_KILLS times.
#  - Then, aggregator up: every collector drains its spool (asserted, bounded wait).
#  - One more round is spooled and flushed; the flush is SIGKILLed after k commits (with the
#    aggregator frozen for the moment, so sends are in flight and acks unread); a second
#    flush of the same spool delivers the rest, the committed-but-unsettled as replays.
#  - Checked for every entity: it has exactly one version per round (none lost, none doubled);
#    version v came from round v's file (order kept); every version holds exactly the
#    facts of the entity in that file (`huizong show --version v --format csv` vs the source
#    CSV, amounts as fen); every ack a collector printed names one of those versions, each
#    version acked exactly once; every id the aggregator logged as committed is the stored
#    id of that version. `huizong verify` finds 0 discrepancies.
source "$(dirname "$0")/lib.sh.inc"
[ -x "$KIT" ] || { echo "SKIP: $KIT not built (target hz-testkit)"; exit 77; }
MAX_ROUNDS=${MAX_ROUNDS:-16}
NCOL=4
MIN_KILLS=${MIN_KILLS:-24}
export LC_ALL=C
HIERARCHY="$WORK/gen/entities.csv"
FAIL_SHOW="col*.err"
FAIL_TAIL=15
starts=0
col_pids=()
T0=$SECONDS

# Each start logs to its own file, so the killer counts this start's commits only.
start_agg() {
    starts=$((starts + 1))
    AGG_LOG="$WORK/agg.$starts.log"
    start_aggregator --batch 2
}

pending() { pb_count "$WORK"/spool*; }

# --- data: 12 department files, 48 entities
"$HZ" gen --out "$WORK/gen" --seed 9 --provinces 1 --cities 2 --districts 2 --departments 3 \
    --units 3 >/dev/null 2>&1 || fail "huizong gen failed"
files=()
for f in "$WORK"/gen/submissions/*.csv; do files+=("$(basename "$f" .csv)"); done
NFILES=${#files[@]} NENT=48
[ "$NFILES" -eq 12 ] || fail "expected 12 generated files, got $NFILES"
mkdir -p "$WORK/rounds" "$WORK/expect"

# Writes round r's files (round 1: as generated; round r > 1: every amount …NN -> …NN00rr,
# i.e. r fen more) and the expected facts per entity: expect/<entity>.r<r>, sorted.
make_round() {
    local r=$1 d src out
    for d in "${files[@]}"; do
        src="$WORK/gen/submissions/$d.csv" out="$WORK/rounds/r$r-$d.csv"
        if [ "$r" -eq 1 ]; then cp "$src" "$out"
        else bump_amounts "$r" "$src" "$out"; fi
        "$KIT" facts "$out" | sort | awk -F'\t' -v dir="$WORK/expect" -v r="$r" \
            '{ f = dir "/" $1 ".r" r; print > f }' || return 1
    done
}
make_round 1 && make_round 2 || fail "could not prepare rounds 1 and 2"
cmp -s "$WORK/expect/${files[0]}.r1" "$WORK/expect/${files[0]}.r2" && fail "round 2 did not change amounts"
entities=$(ls "$WORK/expect" | sed 's/\.r1$//;t;d' | sort)
[ "$(echo "$entities" | wc -l)" -eq "$NENT" ] || fail "expected $NENT entities in the generated files"

# --- aggregator and collectors
start_agg
for i in $(seq 0 $((NCOL - 1))); do
    mkdir -p "$WORK/watch$i"
    "$COL" run --watch "$WORK/watch$i" --to "$ENDPOINT" --spool "$WORK/spool$i" --timeout 600 \
        --interval 200 >"$WORK/col$i.out" 2>"$WORK/col$i.err" &
    col_pids+=($!)
done
bg_track "${col_pids[@]}"

# The dropper: round r goes in once round r-1 is spooled and delivered (file k to collector
# k mod NCOL, so one collector owns all of an entity's versions), until the killer has
# killed enough (file "enough") and at least 3 rounds went in, or MAX_ROUNDS.
dropper() {
    local r k d
    for r in $(seq "$MAX_ROUNDS"); do
        [ "$r" -le 2 ] || make_round "$r" || { echo "make_round $r failed" >"$WORK/dropper.err"; return 1; }
        if [ "$r" -gt 1 ]; then
            for _ in $(seq 600); do
                [ "$(ls "$WORK"/watch*/done/r$((r - 1))-*.csv 2>/dev/null | wc -l)" -eq "$NFILES" ] &&
                    [ "$(pending)" -eq 0 ] && break
                sleep 0.05
            done
            [ -f "$WORK/enough" ] && [ "$r" -gt 3 ] && break
        fi
        k=0
        for d in "${files[@]}"; do
            mv "$WORK/rounds/r$r-$d.csv" "$WORK/watch$((k % NCOL))/"
            k=$((k + 1))
        done
        echo "$r" >"$WORK/rounds.dropped"
    done
    touch "$WORK/dropper.done"
}
dropper &
dropper_pid=$!
bg_track "$dropper_pid"

# --- the killer: each incarnation of the aggregator is SIGKILLed as soon as it has logged
# its k-th commit of a submission (k random in 1..16: somewhere inside a round, which the
# collectors deliver as --batch 2 group commits), then restarted on the same database.
kills=0 busy=0
k=$((1 + RANDOM % 16))
while [ ! -f "$WORK/dropper.done" ] && [ $((SECONDS - T0)) -lt 75 ]; do
    [ "$(grep -c ' ACCEPTED v' "$AGG_LOG")" -ge "$k" ] || { sleep 0.01; continue; }
    [ "$(pending)" -gt 0 ] && busy=$((busy + 1))
    kill_aggregator
    kills=$((kills + 1))
    [ "$kills" -lt "$MIN_KILLS" ] || touch "$WORK/enough"
    k=$((1 + RANDOM % 16))
    start_agg
done
[ -f "$WORK/dropper.done" ] || fail "the dropper did not finish within 75 s ($kills kills)"
wait "$dropper_pid" || true   # its failure is in dropper.err, checked next
[ -f "$WORK/dropper.err" ] && fail "$(cat "$WORK/dropper.err")"
ROUNDS=$(cat "$WORK/rounds.dropped")
[ "$kills" -ge 20 ] || fail "only $kills kills (wanted at least 20)"
[ "$busy" -ge 15 ] || fail "only $busy of $kills kills hit pending work: the test did not exercise the crash"

# --- drain: every file spooled, every spool empty (bounded)
drained() {
    [ "$(ls "$WORK"/watch*/done/*.csv 2>/dev/null | wc -l)" -eq $((NFILES * ROUNDS)) ] && [ "$(pending)" -eq 0 ]
}
wait_for 40 drained || fail "spools did not drain within 40 s of the last restart: $(pending) pending"
for i in $(seq 0 $((NCOL - 1))); do
    kill -TERM "${col_pids[$i]}"
    wait "${col_pids[$i]}" || fail "collector $i did not exit 0 on SIGTERM"
done
col_pids=()
[ "$(ls "$WORK"/watch*/done/*.csv | wc -l)" -eq $((NFILES * ROUNDS)) ] || fail "not every file reached done/"
ls "$WORK"/watch*/failed/* >/dev/null 2>&1 && fail "a file went to failed/"
find "$WORK"/spool*/rejected -type f >"$WORK/rejected.txt" 2>/dev/null || true
[ -s "$WORK/rejected.txt" ] && fail "a submission was rejected: $(head -2 "$WORK/rejected.txt")"

# --- the acks the collectors saw: "E Y N facts ACCEPTED vK [replayed] (...)"
cat "$WORK"/col*.out | awk '$5 == "ACCEPTED" { sub(/^v/, "", $6); print $1, $2, $6 }' | sort >"$WORK/acks"
acks=$(wc -l <"$WORK/acks")
replays=$(cat "$WORK"/col*.out | grep -c ' ACCEPTED v[0-9]* replayed' || true)
[ "$acks" -eq $((NENT * ROUNDS)) ] || fail "collectors printed $acks ACCEPTED lines, expected $((NENT * ROUNDS))"
grep -hv ' ACCEPTED ' "$WORK"/col*.out >"$WORK/not-accepted.txt" || true
[ -s "$WORK/not-accepted.txt" ] && fail "a collector printed a non-ACCEPTED line: $(head -2 "$WORK/not-accepted.txt")"
[ "$(uniq -d "$WORK/acks" | wc -l)" -eq 0 ] || fail "one version acked twice: $(uniq -d "$WORK/acks" | head -3)"

# --- a collector SIGKILLed mid-flush. One more round is spooled (nobody listening), then
# flushed; after the aggregator has committed k of them it is frozen (SIGSTOP), the flush
# is SIGKILLed with sends in flight and acks unread, the aggregator thawed: it may commit
# what the dead collector sent (its acks cannot be delivered). A second flush from the same
# spool must deliver the rest, answer what was committed but not settled as a replay, and
# leave one version per submission.
R2=$((ROUNDS + 1))
make_round "$R2" || fail "could not prepare round $R2"
spool_only "$WORK/spoolc" "$WORK"/rounds/r$R2-*.csv
# each file's NENT/NFILES entities travel as one spool file, applied whole (docs/protocol.md)
PARTS=$((NENT / NFILES))
[ "$(pb_count "$WORK/spoolc")" -eq "$NFILES" ] || fail "round $R2: expected $NFILES spooled files"
base=$(grep -c ' ACCEPTED v' "$AGG_LOG" || true)
k=$((1 + RANDOM % 16))
"$COL" flush --to "$ENDPOINT" --spool "$WORK/spoolc" --timeout 600 >"$WORK/flush1.out" 2>"$WORK/flush1.err" &
fpid=$!; bg_track "$fpid"
# until k more commits (asserted below: the flush must not be done by then)
wait_for 10 '[ "$(grep -c " ACCEPTED v" "$AGG_LOG")" -ge $((base + k)) ]' || true
kill -STOP "$AGG_PID"
kill -9 "$fpid"
wait "$fpid" 2>/dev/null || true
kill -CONT "$AGG_PID"
left=$(pb_count "$WORK/spoolc")
[ "$left" -gt 0 ] || fail "the flush was done before it could be killed (k=$k)"
rc=0
collector flush "$WORK/spoolc" --timeout 600 >"$WORK/flush2.out" 2>"$WORK/flush2.err" || rc=$?
[ "$rc" -eq 0 ] || fail "flush after the collector's SIGKILL exited $rc: $(tail -3 "$WORK/flush2.err")"
[ "$(pb_count "$WORK/spoolc")" -eq 0 ] || fail "spool not empty after the second flush"
[ "$(grep -c ' ACCEPTED v' "$WORK/flush2.out")" -eq $((left * PARTS)) ] || fail "second flush: $(grep -c ' ACCEPTED v' "$WORK/flush2.out") acks for $left pending files of $PARTS"
col_replays=$(grep -c ' ACCEPTED v[0-9]* replayed' "$WORK/flush2.out" || true)
# The killed flush may have removed a spool file without its line reaching stdout
# (collector/delivery.c flushes stdout after spool_remove; see docs/durability.md), so its
# acks are known by the spool files it removed; every ack line that did appear must say
# version R2, and the store check below finds all NENT of them, fact by fact.
cat "$WORK/flush1.out" "$WORK/flush2.out" | awk '$5 == "ACCEPTED" { sub(/^v/, "", $6); print $1, $2, $6 }' \
    | sort -u >"$WORK/acks2"
awk -v v="$R2" '$3 != v { bad = 1 } END { exit bad }' "$WORK/acks2" || fail "round $R2 acked with the wrong version"
[ "$(wc -l <"$WORK/acks2")" -ge $((left * PARTS)) ] || fail "round $R2: fewer ack lines than submissions left for the second flush"
ROUNDS=$R2

# The ids the aggregators logged as committed (fresh, not replays): entity version id.
cat "$WORK"/agg.*.log | awk '$6 == "ACCEPTED" && $8 == "flags" { sub(/^id=/, "", $4); sub(/^v/, "", $7); print $2, $7, $4 }' \
    | sort >"$WORK/logged"
logged=$(wc -l <"$WORK/logged")

# --- the store, entity by entity
checked=0
for e in $entities; do
    versions=$(versions_of "$e" 2024)
    [ "$(echo "$versions" | wc -l)" -eq "$ROUNDS" ] || fail "$e 2024 has $(echo "$versions" | wc -l) versions, expected $ROUNDS"
    while read -r v id nfacts source; do
        [ "$source" = "r$v-$(echo "$source" | sed 's/^r[0-9]*-//')" ] || fail "$e v$v came from $source, not round $v"
        exp="$WORK/expect/$e.r$v"
        [ "$nfacts" -eq "$(wc -l <"$exp")" ] || fail "$e v$v holds $nfacts facts, its file has $(wc -l <"$exp")"
        "$HZ" show --db "$DB" --entity "$e" --year 2024 --version "$v" --format csv --header ids \
            | "$KIT" facts - | sort >"$WORK/got" || fail "show $e v$v"
        cmp -s "$WORK/got" "$exp" || fail "$e v$v: stored facts differ from $source: $(diff "$WORK/got" "$exp" | head -4)"
        [ "$v" -eq "$R2" ] || grep -qx "$e 2024 $v" "$WORK/acks" || fail "$e v$v stored but no collector saw it acked"
        lid=$(awk -v e="$e" -v v="$v" '$1 == e && $2 == v { print $3 }' "$WORK/logged")
        [ -z "$lid" ] || [ "$lid" = "$id" ] || fail "$e v$v: aggregator logged id $lid committed, store holds $id"
        checked=$((checked + 1))
    done <<<"$versions"
done
[ "$checked" -eq $((NENT * ROUNDS)) ] || fail "checked $checked versions, expected $((NENT * ROUNDS))"

verify_clean

stop_aggregator
echo "crash_kill9: ok: $kills aggregator SIGKILLs ($busy with work pending), $acks acks seen by" \
     "collectors ($replays of them replays: committed, first ack lost to a kill), $logged commits logged;" \
     "a collector SIGKILLed with $left of $NENT unacked, $col_replays of them replays on resend;" \
     "$checked versions checked fact by fact, verify clean ($((SECONDS - T0)) s)"
