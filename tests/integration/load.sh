#!/usr/bin/env bash
# load.sh -- sustained load: 50 concurrent collectors for DURATION seconds.
#
#  - `huizong gen` makes 50 department files (200 submissions: 150 units, 50 departments).
#  - Collector i (its own spool) owns file i and runs `submit` in a loop: collectors 0..19
#    resubmit with changed figures every round, 20..39 resubmit the same figures (new ids:
#    new versions), 40..49 submit once. The loops stop starting rounds after DURATION s.
#  - Every submit must end ACCEPTED; one that ran out of its deadline (exit 4) is flushed
#    at the end (retries allowed), a rejection (exit 1) fails the test.
#  - None lost, none doubled: each entity has exactly as many versions as its collector
#    made submissions, version v came from round v's file, the latest version holds exactly
#    the last file's facts (fen by fen), and `huizong verify` is clean.
#  - Memory stays flat: the aggregator's VmRSS, RssAnon (its heap) and RssFile are read at
#    start, in the middle and at the end. Fails if the end RssAnon > 2 x middle + 20 MB. VmRSS
#    is reported but not held to that bound: it includes the LMDB map's resident pages
#    (RssFile), page cache of a file that does grow with the stored versions (the end of the
#    run holds about twice the middle's data); RssFile must stay within the map's file size.
source "$(dirname "$0")/lib.sh.inc"
[ -x "$KIT" ] || { echo "SKIP: $KIT not built (target hz-testkit)"; exit 77; }
NCOL=50
DURATION=${DURATION:-24}
export LC_ALL=C
HIERARCHY="$WORK/gen/entities.csv"
FAIL_TAIL=15
FAIL_OMIT=' ACCEPTED v'
col_pids=()
T0=$SECONDS

"$HZ" gen --out "$WORK/gen" --seed 21 --provinces 1 --cities 2 --districts 5 --departments 5 \
    --units 3 >/dev/null 2>&1 || fail "huizong gen failed"
files=()
for f in "$WORK"/gen/submissions/*.csv; do files+=("$(basename "$f" .csv)"); done
[ "${#files[@]}" -eq "$NCOL" ] || fail "expected $NCOL generated files, got ${#files[@]}"

start_aggregator
rss_start=$(rss VmRSS) anon_start=$(rss RssAnon)

# One collector (a shell loop): round r writes rounds/r<r>-<dept>.csv (changed figures for i < 20) and
# submits it; every round's exit code goes to c<i>.rc.
submitter() {
    local i=$1 d=${files[$1]} r=0 src out
    src="$WORK/gen/submissions/$d.csv"
    while :; do
        r=$((r + 1))
        out="$WORK/rounds/r$r-$d.csv"
        if [ "$i" -lt 20 ] && [ "$r" -gt 1 ]; then
            bump_amounts "$r" "$src" "$out"
        else
            cp "$src" "$out"
        fi
        local rc=0
        collector submit "$WORK/spool$i" "$out" --deadline 40 \
            >>"$WORK/c$i.out" 2>>"$WORK/c$i.err" || rc=$?
        echo "$r $rc" >>"$WORK/c$i.rc"
        [ "$i" -ge 40 ] && break
        [ $((SECONDS - T0)) -lt "$DURATION" ] || break
    done
}
mkdir -p "$WORK/rounds"
for i in $(seq 0 $((NCOL - 1))); do
    submitter "$i" &
    col_pids+=($!)
done
bg_track "${col_pids[@]}"

# Middle of the run: measured on schedule, not a synchronisation.
sleep $((DURATION / 2))
kill -0 "$AGG_PID" 2>/dev/null || fail "aggregator died under load"
rss_mid=$(rss VmRSS) anon_mid=$(rss RssAnon)
n_mid=$(grep -c ' ACCEPTED v' "$AGG_LOG" || true)

for p in "${col_pids[@]}"; do wait "$p"; done
col_pids=()
elapsed=$((SECONDS - T0))
[ "$elapsed" -lt 100 ] || fail "collectors took ${elapsed}s"

# Retries: what a submit left pending (exit 4) is flushed now; anything else is a failure.
flushed=0
for i in $(seq 0 $((NCOL - 1))); do
    bad=$(awk '$2 != 0 && $2 != 4' "$WORK/c$i.rc")
    [ -z "$bad" ] || fail "collector $i: submit exit codes (round rc): $bad; $(tail -3 "$WORK/c$i.err")"
    if grep -q ' 4$' "$WORK/c$i.rc"; then
        collector flush "$WORK/spool$i" >>"$WORK/c$i.out" 2>>"$WORK/c$i.err" \
            || fail "collector $i: flush after the load failed"
        flushed=$((flushed + 1))
    fi
    [ "$(pb_count "$WORK/spool$i")" -eq 0 ] || fail "spool $i not empty"
done
rss_end=$(rss VmRSS) anon_end=$(rss RssAnon) file_end=$(rss RssFile)

# Every submission ended ACCEPTED, once per round.
total_rounds=0
for i in $(seq 0 $((NCOL - 1))); do
    rounds=$(wc -l <"$WORK/c$i.rc")
    total_rounds=$((total_rounds + rounds))
    d=${files[$i]}
    ents=$("$KIT" facts "$WORK/gen/submissions/$d.csv" | cut -f1 | sort -u)
    [ "$(echo "$ents" | wc -l)" -eq 4 ] || fail "$d.csv: expected 4 entities"
    grep -v -e ' ACCEPTED v' -e ' PENDING ' "$WORK/c$i.out" >"$WORK/c$i.other" || true
    [ -s "$WORK/c$i.other" ] && fail "collector $i: $(head -2 "$WORK/c$i.other")"
    for e in $ents; do
        n=$(grep -c "^$e 2024 .* ACCEPTED v" "$WORK/c$i.out" || true)
        [ "$n" -eq "$rounds" ] || fail "$e: $n ACCEPTED lines for $rounds submissions"
        sources=$(versions_of "$e" 2024 | awk '{ print $1, $4 }')
        [ "$(echo "$sources" | wc -l)" -eq "$rounds" ] || fail "$e: $(echo "$sources" | wc -l) versions stored, $rounds submitted"
        echo "$sources" | awk -v d="$d" '$2 != "r" $1 "-" d ".csv" { bad = 1 } END { exit bad }' \
            || fail "$e: versions out of order or from the wrong file: $(echo "$sources" | tr '\n' ' ')"
        "$HZ" show --db "$DB" --entity "$e" --year 2024 --format csv --header ids | "$KIT" facts - | sort >"$WORK/got"
        "$KIT" facts "$WORK/rounds/r$rounds-$d.csv" | awk -F'\t' -v e="$e" '$1 == e' | sort >"$WORK/exp"
        [ -s "$WORK/exp" ] || fail "$e: no expected facts"
        cmp -s "$WORK/got" "$WORK/exp" || fail "$e v$rounds: stored facts differ: $(diff "$WORK/got" "$WORK/exp" | head -4)"
    done
done
versions=$((total_rounds * 4))
[ "$total_rounds" -gt "$NCOL" ] || fail "only $total_rounds submits in all: no resubmissions happened"
accepted=$(grep -c ' ACCEPTED v' "$AGG_LOG" || true)

verify_clean

echo "load: RSS kB start/middle/end: VmRSS $rss_start/$rss_mid/$rss_end, RssAnon $anon_start/$anon_mid/$anon_end;" \
     "RssFile at the end $file_end kB, data.mdb $(( $(stat -c %s "$DB/data.mdb") / 1024 )) kB"
[ "$anon_end" -le $((2 * anon_mid + 20480)) ] || fail "aggregator heap grew: RssAnon $anon_mid kB mid-run, $anon_end kB at the end"
# VmRSS itself grows with the database: every version stays stored, and the pages of the
# LMDB map the aggregator touched are resident file pages (RssFile). Bound that part by the
# file it maps (plus 32 MB of binaries and libraries) instead of by the mid-run figure.
db_kb=$(( $(stat -c %s "$DB/data.mdb") / 1024 ))
[ "$file_end" -le $((db_kb + 32768)) ] || fail "aggregator RssFile $file_end kB exceeds its map ($db_kb kB) + 32 MB"

stop_aggregator
echo "load: ok: $NCOL collectors, $total_rounds submits in ${elapsed}s ($versions versions, $n_mid stored by mid-run)," \
     "$accepted acks logged, $flushed spools flushed after the run, every version accounted for, verify clean"
