#!/usr/bin/env bash
# crash_kill9.sh -- nothing acked is ever lost, nothing is applied twice or by halves, while
# the aggregator is SIGKILLed at random moments (docs/durability.md).
#
#  - `huizong gen` makes 12 department files (48 submissions: 36 units, 12 departments).
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
set -uo pipefail

: "${HZ_BIN:?HZ_BIN must name the directory of the built binaries}"
AGG="$HZ_BIN/huizong-aggregator"
COL="$HZ_BIN/huizong-collector"
HZ="$HZ_BIN/huizong"
KIT="$HZ_BIN/hz-testkit"
[ -x "$KIT" ] || { echo "SKIP: $KIT not built (target hz-testkit)"; exit 77; }
MAX_ROUNDS=${MAX_ROUNDS:-16}
NCOL=4
MIN_KILLS=${MIN_KILLS:-24}
export LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hz-kill9.XXXXXX")
EP="ipc://$tmp/agg.sock"
agg_pid=""
starts=0
col_pids=()
dropper_pid=""
T0=$SECONDS

cleanup() {
    [ -n "$dropper_pid" ] && { pkill -P "$dropper_pid" 2>/dev/null; kill "$dropper_pid" 2>/dev/null; }
    for p in "${col_pids[@]}"; do kill "$p" 2>/dev/null; done
    if [ -n "$agg_pid" ]; then kill -9 "$agg_pid" 2>/dev/null; wait "$agg_pid" 2>/dev/null; fi
    wait 2>/dev/null
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir kept: $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: crash_kill9: $*" >&2
    for f in "$tmp"/col*.err "$tmp/agg.$starts.log"; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -15 "$f" >&2; }
    done
    exit 1
}

# Each start logs to its own file, so "serving" is this start's and not an earlier one's.
start_agg() {
    starts=$((starts + 1))
    local log="$tmp/agg.$starts.log"
    "$AGG" --db "$tmp/db" --bind "$EP" --hierarchy "$tmp/gen/entities.csv" --insecure \
        --batch 2 2>"$log" &
    agg_pid=$!
    for _ in $(seq 100); do
        grep -q "serving $EP" "$log" 2>/dev/null && return 0
        kill -0 "$agg_pid" 2>/dev/null || fail "aggregator start $starts died: $(tail -3 "$log")"
        sleep 0.05
    done
    fail "aggregator start $starts did not serve within 5 s"
}

pending() { find "$tmp"/spool* -maxdepth 1 -name '*.pb' 2>/dev/null | wc -l; }

# --- data: 12 department files, 48 entities
"$HZ" gen --out "$tmp/gen" --seed 9 --provinces 1 --cities 2 --districts 2 --departments 3 \
    --units 3 >/dev/null 2>&1 || fail "huizong gen failed"
files=()
for f in "$tmp"/gen/submissions/*.csv; do files+=("$(basename "$f" .csv)"); done
NFILES=${#files[@]} NENT=48
[ "$NFILES" -eq 12 ] || fail "expected 12 generated files, got $NFILES"
mkdir -p "$tmp/rounds" "$tmp/expect"

# Writes round r's files (round 1: as generated; round r > 1: every amount …NN -> …NN00rr,
# i.e. r fen more) and the expected facts per entity: expect/<entity>.r<r>, sorted.
make_round() {
    local r=$1 d src out
    for d in "${files[@]}"; do
        src="$tmp/gen/submissions/$d.csv" out="$tmp/rounds/r$r-$d.csv"
        if [ "$r" -eq 1 ]; then cp "$src" "$out"
        else sed -E "2,\$ s/(,-?[0-9]+\.[0-9]{2})\$/\\1$(printf %04d "$r")/" "$src" >"$out"; fi
        "$KIT" facts "$out" | sort | awk -F'\t' -v dir="$tmp/expect" -v r="$r" \
            '{ f = dir "/" $1 ".r" r; print > f }' || return 1
    done
}
make_round 1 && make_round 2 || fail "could not prepare rounds 1 and 2"
cmp -s "$tmp/expect/${files[0]}.r1" "$tmp/expect/${files[0]}.r2" && fail "round 2 did not change amounts"
entities=$(ls "$tmp/expect" | sed 's/\.r1$//;t;d' | sort)
[ "$(echo "$entities" | wc -l)" -eq "$NENT" ] || fail "expected $NENT entities in the generated files"

# --- aggregator and collectors
start_agg
for i in $(seq 0 $((NCOL - 1))); do
    mkdir -p "$tmp/watch$i"
    "$COL" run --watch "$tmp/watch$i" --to "$EP" --spool "$tmp/spool$i" --timeout 600 \
        --interval 200 >"$tmp/col$i.out" 2>"$tmp/col$i.err" &
    col_pids+=($!)
done

# The dropper: round r goes in once round r-1 is spooled and delivered (file k to collector
# k mod NCOL, so one collector owns all of an entity's versions), until the killer has
# killed enough (file "enough") and at least 3 rounds went in, or MAX_ROUNDS.
dropper() {
    local r k d
    for r in $(seq "$MAX_ROUNDS"); do
        [ "$r" -le 2 ] || make_round "$r" || { echo "make_round $r failed" >"$tmp/dropper.err"; return 1; }
        if [ "$r" -gt 1 ]; then
            for _ in $(seq 600); do
                [ "$(ls "$tmp"/watch*/done/r$((r - 1))-*.csv 2>/dev/null | wc -l)" -eq "$NFILES" ] &&
                    [ "$(pending)" -eq 0 ] && break
                sleep 0.05
            done
            [ -f "$tmp/enough" ] && [ "$r" -gt 3 ] && break
        fi
        k=0
        for d in "${files[@]}"; do
            mv "$tmp/rounds/r$r-$d.csv" "$tmp/watch$((k % NCOL))/"
            k=$((k + 1))
        done
        echo "$r" >"$tmp/rounds.dropped"
    done
    touch "$tmp/dropper.done"
}
dropper &
dropper_pid=$!

# --- the killer: each incarnation of the aggregator is SIGKILLed as soon as it has logged
# its k-th commit of a submission (k random in 1..16: somewhere inside a round, which the
# collectors deliver as --batch 2 group commits), then restarted on the same database.
kills=0 busy=0
k=$((1 + RANDOM % 16))
while [ ! -f "$tmp/dropper.done" ] && [ $((SECONDS - T0)) -lt 75 ]; do
    [ "$(grep -c ' ACCEPTED v' "$tmp/agg.$starts.log")" -ge "$k" ] || { sleep 0.01; continue; }
    [ "$(pending)" -gt 0 ] && busy=$((busy + 1))
    kill -9 "$agg_pid"
    wait "$agg_pid" 2>/dev/null
    agg_pid=""
    kills=$((kills + 1))
    [ "$kills" -lt "$MIN_KILLS" ] || touch "$tmp/enough"
    k=$((1 + RANDOM % 16))
    start_agg
done
[ -f "$tmp/dropper.done" ] || fail "the dropper did not finish within 75 s ($kills kills)"
wait "$dropper_pid"
dropper_pid=""
[ -f "$tmp/dropper.err" ] && fail "$(cat "$tmp/dropper.err")"
ROUNDS=$(cat "$tmp/rounds.dropped")
[ "$kills" -ge 20 ] || fail "only $kills kills (wanted at least 20)"
[ "$busy" -ge 15 ] || fail "only $busy of $kills kills hit pending work: the test did not exercise the crash"

# --- drain: every file spooled, every spool empty (bounded)
drained() {
    [ "$(ls "$tmp"/watch*/done/*.csv 2>/dev/null | wc -l)" -eq $((NFILES * ROUNDS)) ] && [ "$(pending)" -eq 0 ]
}
for _ in $(seq 400); do
    drained && break
    sleep 0.1
done
drained || fail "spools did not drain within 40 s of the last restart: $(pending) pending"
for i in $(seq 0 $((NCOL - 1))); do
    kill -TERM "${col_pids[$i]}"
    wait "${col_pids[$i]}" || fail "collector $i did not exit 0 on SIGTERM"
done
col_pids=()
[ "$(ls "$tmp"/watch*/done/*.csv | wc -l)" -eq $((NFILES * ROUNDS)) ] || fail "not every file reached done/"
ls "$tmp"/watch*/failed/* >/dev/null 2>&1 && fail "a file went to failed/"
find "$tmp"/spool*/rejected -type f 2>/dev/null | grep -q . && fail "a submission was rejected"

# --- the acks the collectors saw: "E Y N facts ACCEPTED vK [replayed] (...)"
cat "$tmp"/col*.out | awk '$5 == "ACCEPTED" { sub(/^v/, "", $6); print $1, $2, $6 }' | sort >"$tmp/acks"
acks=$(wc -l <"$tmp/acks")
replays=$(cat "$tmp"/col*.out | grep -c ' ACCEPTED v[0-9]* replayed')
[ "$acks" -eq $((NENT * ROUNDS)) ] || fail "collectors printed $acks ACCEPTED lines, expected $((NENT * ROUNDS))"
grep -v ' ACCEPTED ' "$tmp"/col*.out | grep -q . && fail "a collector printed a non-ACCEPTED line: $(grep -hv ' ACCEPTED ' "$tmp"/col*.out | head -2)"
[ "$(uniq -d "$tmp/acks" | wc -l)" -eq 0 ] || fail "one version acked twice: $(uniq -d "$tmp/acks" | head -3)"

# --- a collector SIGKILLed mid-flush. One more round is spooled (nobody listening), then
# flushed; after the aggregator has committed k of them it is frozen (SIGSTOP), the flush
# is SIGKILLed with sends in flight and acks unread, the aggregator thawed: it may commit
# what the dead collector sent (its acks cannot be delivered). A second flush from the same
# spool must deliver the rest, answer what was committed but not settled as a replay, and
# leave one version per submission.
R2=$((ROUNDS + 1))
make_round "$R2" || fail "could not prepare round $R2"
rc=0
"$COL" submit "$tmp"/rounds/r$R2-*.csv --to "ipc://$tmp/nobody.sock" --spool "$tmp/spoolc" \
    --deadline 1 --timeout 200 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 4 ] || fail "spooling round $R2 without an aggregator: exit $rc, expected 4"
[ "$(ls "$tmp"/spoolc/*.pb | wc -l)" -eq "$NENT" ] || fail "round $R2: expected $NENT spooled submissions"
base=$(grep -c ' ACCEPTED v' "$tmp/agg.$starts.log")
k=$((1 + RANDOM % 16))
"$COL" flush --to "$EP" --spool "$tmp/spoolc" --timeout 600 >"$tmp/flush1.out" 2>"$tmp/flush1.err" &
fpid=$!
for _ in $(seq 1000); do
    [ "$(grep -c ' ACCEPTED v' "$tmp/agg.$starts.log")" -ge $((base + k)) ] && break
    sleep 0.01
done
kill -STOP "$agg_pid"
kill -9 "$fpid"
wait "$fpid" 2>/dev/null
kill -CONT "$agg_pid"
left=$(ls "$tmp"/spoolc/*.pb 2>/dev/null | wc -l)
[ "$left" -gt 0 ] || fail "the flush was done before it could be killed (k=$k)"
rc=0
"$COL" flush --to "$EP" --spool "$tmp/spoolc" --timeout 600 >"$tmp/flush2.out" 2>"$tmp/flush2.err" || rc=$?
[ "$rc" -eq 0 ] || fail "flush after the collector's SIGKILL exited $rc: $(tail -3 "$tmp/flush2.err")"
[ "$(ls "$tmp"/spoolc/*.pb 2>/dev/null | wc -l)" -eq 0 ] || fail "spool not empty after the second flush"
[ "$(grep -c ' ACCEPTED v' "$tmp/flush2.out")" -eq "$left" ] || fail "second flush: $(grep -c ' ACCEPTED v' "$tmp/flush2.out") acks for $left pending"
col_replays=$(grep -c ' ACCEPTED v[0-9]* replayed' "$tmp/flush2.out")
# The killed flush may have removed a spool file without its line reaching stdout
# (collector/delivery.c flushes stdout after spool_remove; see docs/durability.md), so its
# acks are known by the spool files it removed; every ack line that did appear must say
# version R2, and the store check below finds all NENT of them, fact by fact.
cat "$tmp/flush1.out" "$tmp/flush2.out" | awk '$5 == "ACCEPTED" { sub(/^v/, "", $6); print $1, $2, $6 }' \
    | sort -u >"$tmp/acks2"
awk -v v="$R2" '$3 != v { bad = 1 } END { exit bad }' "$tmp/acks2" || fail "round $R2 acked with the wrong version"
[ "$(wc -l <"$tmp/acks2")" -ge "$left" ] || fail "round $R2: fewer ack lines than submissions left for the second flush"
ROUNDS=$R2

# The ids the aggregators logged as committed (fresh, not replays): entity version id.
cat "$tmp"/agg.*.log | awk '$6 == "ACCEPTED" && $8 == "flags" { sub(/^id=/, "", $4); sub(/^v/, "", $7); print $2, $7, $4 }' \
    | sort >"$tmp/logged"
logged=$(wc -l <"$tmp/logged")

# --- the store, entity by entity
checked=0
for e in $entities; do
    json=$("$HZ" show --db "$tmp/db" --entity "$e" --year 2024 --format json) || fail "show $e 2024 failed"
    versions=$(echo "$json" | grep -o '{"version":[0-9]*,"submission_id":"[0-9a-f]*","received_ms":[0-9]*,"facts":[0-9]*,"source":"[^"]*"}' \
        | sed -E 's/.*"version":([0-9]+),"submission_id":"([0-9a-f]+)".*"facts":([0-9]+),"source":"([^"]*)".*/\1 \2 \3 \4/')
    [ "$(echo "$versions" | wc -l)" -eq "$ROUNDS" ] || fail "$e 2024 has $(echo "$versions" | wc -l) versions, expected $ROUNDS"
    while read -r v id nfacts source; do
        [ "$source" = "r$v-$(echo "$source" | sed 's/^r[0-9]*-//')" ] || fail "$e v$v came from $source, not round $v"
        exp="$tmp/expect/$e.r$v"
        [ "$nfacts" -eq "$(wc -l <"$exp")" ] || fail "$e v$v holds $nfacts facts, its file has $(wc -l <"$exp")"
        "$HZ" show --db "$tmp/db" --entity "$e" --year 2024 --version "$v" --format csv \
            | "$KIT" facts - | sort >"$tmp/got" || fail "show $e v$v"
        cmp -s "$tmp/got" "$exp" || fail "$e v$v: stored facts differ from $source: $(diff "$tmp/got" "$exp" | head -4)"
        [ "$v" -eq "$R2" ] || grep -qx "$e 2024 $v" "$tmp/acks" || fail "$e v$v stored but no collector saw it acked"
        lid=$(awk -v e="$e" -v v="$v" '$1 == e && $2 == v { print $3 }' "$tmp/logged")
        [ -z "$lid" ] || [ "$lid" = "$id" ] || fail "$e v$v: aggregator logged id $lid committed, store holds $id"
        checked=$((checked + 1))
    done <<<"$versions"
done
[ "$checked" -eq $((NENT * ROUNDS)) ] || fail "checked $checked versions, expected $((NENT * ROUNDS))"

out=$("$HZ" verify --db "$tmp/db") || fail "huizong verify: $out"
echo "$out" | grep -q '^verify: 0 discrepancies$' || fail "verify: $out"

kill -TERM "$agg_pid"
rc=0; wait "$agg_pid" || rc=$?; agg_pid=""
[ "$rc" -eq 0 ] || fail "aggregator exited $rc after SIGTERM"
echo "crash_kill9: ok: $kills aggregator SIGKILLs ($busy with work pending), $acks acks seen by" \
     "collectors ($replays of them replays: committed, first ack lost to a kill), $logged commits logged;" \
     "a collector SIGKILLed with $left of $NENT unacked, $col_replays of them replays on resend;" \
     "$checked versions checked fact by fact, verify clean ($((SECONDS - T0)) s)"
