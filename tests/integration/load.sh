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
set -uo pipefail

: "${HZ_BIN:?HZ_BIN must name the directory of the built binaries}"
AGG="$HZ_BIN/huizong-aggregator"
COL="$HZ_BIN/huizong-collector"
HZ="$HZ_BIN/huizong"
KIT="$HZ_BIN/hz-testkit"
[ -x "$KIT" ] || { echo "SKIP: $KIT not built (target hz-testkit)"; exit 77; }
NCOL=50
DURATION=${DURATION:-24}
export LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hz-load.XXXXXX")
EP="ipc://$tmp/agg.sock"
agg_pid=""
col_pids=()
T0=$SECONDS

cleanup() {
    for p in "${col_pids[@]}"; do pkill -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
    if [ -n "$agg_pid" ]; then kill -9 "$agg_pid" 2>/dev/null; wait "$agg_pid" 2>/dev/null; fi
    wait 2>/dev/null
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir kept: $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: load: $*" >&2
    [ -f "$tmp/agg.log" ] && { echo "--- aggregator log" >&2; grep -v ' ACCEPTED v' "$tmp/agg.log" | tail -15 >&2; }
    exit 1
}

# rss FIELD -> kB (VmRSS, RssAnon, RssFile) of the aggregator
rss() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$agg_pid/status"; }

"$HZ" gen --out "$tmp/gen" --seed 21 --provinces 1 --cities 2 --districts 5 --departments 5 \
    --units 3 >/dev/null 2>&1 || fail "huizong gen failed"
files=()
for f in "$tmp"/gen/submissions/*.csv; do files+=("$(basename "$f" .csv)"); done
[ "${#files[@]}" -eq "$NCOL" ] || fail "expected $NCOL generated files, got ${#files[@]}"

"$AGG" --db "$tmp/db" --bind "$EP" --hierarchy "$tmp/gen/entities.csv" --insecure 2>"$tmp/agg.log" &
agg_pid=$!
for _ in $(seq 100); do
    grep -q "serving $EP" "$tmp/agg.log" && break
    kill -0 "$agg_pid" 2>/dev/null || fail "aggregator died at start"
    sleep 0.05
done
grep -q "serving $EP" "$tmp/agg.log" || fail "aggregator did not serve within 5 s"
rss_start=$(rss VmRSS) anon_start=$(rss RssAnon)

# One collector: round r writes rounds/r<r>-<dept>.csv (changed figures for i < 20) and
# submits it; every round's exit code goes to c<i>.rc.
collector() {
    local i=$1 d=${files[$1]} r=0 src out
    src="$tmp/gen/submissions/$d.csv"
    while :; do
        r=$((r + 1))
        out="$tmp/rounds/r$r-$d.csv"
        if [ "$i" -lt 20 ] && [ "$r" -gt 1 ]; then
            sed -E "2,\$ s/(,-?[0-9]+\.[0-9]{2})\$/\\1$(printf %04d "$r")/" "$src" >"$out"
        else
            cp "$src" "$out"
        fi
        local rc=0
        "$COL" submit "$out" --to "$EP" --spool "$tmp/spool$i" --deadline 40 \
            >>"$tmp/c$i.out" 2>>"$tmp/c$i.err" || rc=$?
        echo "$r $rc" >>"$tmp/c$i.rc"
        [ "$i" -ge 40 ] && break
        [ $((SECONDS - T0)) -lt "$DURATION" ] || break
    done
}
mkdir -p "$tmp/rounds"
for i in $(seq 0 $((NCOL - 1))); do
    collector "$i" &
    col_pids+=($!)
done

# Middle of the run: measured on schedule, not a synchronisation.
sleep $((DURATION / 2))
kill -0 "$agg_pid" 2>/dev/null || fail "aggregator died under load"
rss_mid=$(rss VmRSS) anon_mid=$(rss RssAnon)
n_mid=$(grep -c ' ACCEPTED v' "$tmp/agg.log")

for p in "${col_pids[@]}"; do wait "$p"; done
col_pids=()
elapsed=$((SECONDS - T0))
[ "$elapsed" -lt 100 ] || fail "collectors took ${elapsed}s"

# Retries: what a submit left pending (exit 4) is flushed now; anything else is a failure.
flushed=0
for i in $(seq 0 $((NCOL - 1))); do
    bad=$(awk '$2 != 0 && $2 != 4' "$tmp/c$i.rc")
    [ -z "$bad" ] || fail "collector $i: submit exit codes (round rc): $bad; $(tail -3 "$tmp/c$i.err")"
    if grep -q ' 4$' "$tmp/c$i.rc"; then
        "$COL" flush --to "$EP" --spool "$tmp/spool$i" >>"$tmp/c$i.out" 2>>"$tmp/c$i.err" \
            || fail "collector $i: flush after the load failed"
        flushed=$((flushed + 1))
    fi
    [ "$(find "$tmp/spool$i" -maxdepth 1 -name '*.pb' | wc -l)" -eq 0 ] || fail "spool $i not empty"
done
rss_end=$(rss VmRSS) anon_end=$(rss RssAnon) file_end=$(rss RssFile)

# Every submission ended ACCEPTED, once per round.
total_rounds=0
for i in $(seq 0 $((NCOL - 1))); do
    rounds=$(wc -l <"$tmp/c$i.rc")
    total_rounds=$((total_rounds + rounds))
    d=${files[$i]}
    ents=$("$KIT" facts "$tmp/gen/submissions/$d.csv" | cut -f1 | sort -u)
    [ "$(echo "$ents" | wc -l)" -eq 4 ] || fail "$d.csv: expected 4 entities"
    grep -v ' ACCEPTED v' "$tmp/c$i.out" | grep -v ' PENDING ' | grep -q . \
        && fail "collector $i: $(grep -v ' ACCEPTED v' "$tmp/c$i.out" | grep -v ' PENDING ' | head -2)"
    for e in $ents; do
        n=$(grep -c "^$e 2024 .* ACCEPTED v" "$tmp/c$i.out")
        [ "$n" -eq "$rounds" ] || fail "$e: $n ACCEPTED lines for $rounds submissions"
        json=$("$HZ" show --db "$tmp/db" --entity "$e" --year 2024 --format json) || fail "show $e"
        sources=$(echo "$json" | grep -o '"version":[0-9]*,"submission_id":"[0-9a-f]*","received_ms":[0-9]*,"facts":[0-9]*,"source":"[^"]*"' \
            | sed -E 's/^"version":([0-9]+),.*"source":"([^"]*)"$/\1 \2/')
        [ "$(echo "$sources" | wc -l)" -eq "$rounds" ] || fail "$e: $(echo "$sources" | wc -l) versions stored, $rounds submitted"
        echo "$sources" | awk -v d="$d" '$2 != "r" $1 "-" d ".csv" { bad = 1 } END { exit bad }' \
            || fail "$e: versions out of order or from the wrong file: $(echo "$sources" | tr '\n' ' ')"
        "$HZ" show --db "$tmp/db" --entity "$e" --year 2024 --format csv | "$KIT" facts - | sort >"$tmp/got"
        "$KIT" facts "$tmp/rounds/r$rounds-$d.csv" | awk -F'\t' -v e="$e" '$1 == e' | sort >"$tmp/exp"
        [ -s "$tmp/exp" ] || fail "$e: no expected facts"
        cmp -s "$tmp/got" "$tmp/exp" || fail "$e v$rounds: stored facts differ: $(diff "$tmp/got" "$tmp/exp" | head -4)"
    done
done
versions=$((total_rounds * 4))
[ "$total_rounds" -gt "$NCOL" ] || fail "only $total_rounds submits in all: no resubmissions happened"
accepted=$(grep -c ' ACCEPTED v' "$tmp/agg.log")

out=$("$HZ" verify --db "$tmp/db") || fail "huizong verify: $out"
echo "$out" | grep -q '^verify: 0 discrepancies$' || fail "verify: $out"

echo "load: RSS kB start/middle/end: VmRSS $rss_start/$rss_mid/$rss_end, RssAnon $anon_start/$anon_mid/$anon_end;" \
     "RssFile at the end $file_end kB, data.mdb $(( $(stat -c %s "$tmp/db/data.mdb") / 1024 )) kB"
[ "$anon_end" -le $((2 * anon_mid + 20480)) ] || fail "aggregator heap grew: RssAnon $anon_mid kB mid-run, $anon_end kB at the end"
# VmRSS itself grows with the database: every version stays stored, and the pages of the
# LMDB map the aggregator touched are resident file pages (RssFile). Bound that part by the
# file it maps (plus 32 MB of binaries and libraries) instead of by the mid-run figure.
db_kb=$(( $(stat -c %s "$tmp/db/data.mdb") / 1024 ))
[ "$file_end" -le $((db_kb + 32768)) ] || fail "aggregator RssFile $file_end kB exceeds its map ($db_kb kB) + 32 MB"

kill -TERM "$agg_pid"
rc=0; wait "$agg_pid" || rc=$?; agg_pid=""
[ "$rc" -eq 0 ] || fail "aggregator exited $rc after SIGTERM"
echo "load: ok: $NCOL collectors, $total_rounds submits in ${elapsed}s ($versions versions, $n_mid stored by mid-run)," \
     "$accepted acks logged, $flushed spools flushed after the run, every version accounted for, verify clean"
