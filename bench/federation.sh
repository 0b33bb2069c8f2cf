#!/usr/bin/env bash
# federation.sh -- the federation of docs/federation.md simulated on one machine, measured:
#
#   bash bench/federation.sh [--provinces N] [--interval MS] [--rounds R] [--keep]
#
# `huizong gen` data with N (default 4) provinces. One national aggregator (hierarchy: the
# provinces only); one aggregator per province forwarding `--as PROVINCE` to it
# (--upstream-insecure, ipc://); under the FIRST province, one aggregator per city
# forwarding `--as CITY` to the province, so that path has three levels
# (department collectors -> city -> province -> national). Every other province's
# collectors submit straight to their province aggregator.
#
# 1. bulk: one collector per department file, all provinces at once; timed until every
#    collector has exited (the leaf level's throughput), then until every province's
#    summary figures at the national aggregator equal those of its own aggregator
#    (national convergence after the bulk).
# 2. lag: R rounds (default 10), each after a pause of one interval; each round one department (alternately under a city
#    aggregator of province 1 and directly under another province) sends a corrected
#    declaration with bench/resubmit; from its durable ack, `huizong tree` on the national
#    database is polled every POLL_MS until the corrected figure of that province reaches
#    the national aggregator. Lag = ack -> visible nationally.
# 3. per level: forwards accepted by the national aggregator and by province 1 (from their
#    upstream logs), facts per forward, the national aggregator's CPU per forward.
# Prints name=value lines (fed_*). Noisy on a shared machine: the load is printed.
#
# Invariants: builds nothing itself (uses HZ_BENCH_BUILD, default build-bench, as
# bench/run.sh leaves it: run that first or build the Release tree); one temp directory,
# removed at the end unless --keep; stops only the processes it started, by pid.
set -uo pipefail

NPROV=4
INTERVAL=1000      # --upstream-interval of every forwarding aggregator (its default)
ROUNDS=10
POLL_MS=20
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --provinces) NPROV="${2:-}"; shift 2 ;;
        --interval) INTERVAL="${2:-}"; shift 2 ;;
        --rounds) ROUNDS="${2:-}"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "federation.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
for v in "$NPROV" "$INTERVAL" "$ROUNDS"; do
    case "$v" in ''|*[!0-9]*|0) echo "federation.sh: counts must be positive integers" >&2; exit 2 ;; esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${HZ_BENCH_BUILD:-$ROOT/build-bench}
BIN="$BUILD/bin"
B="$BUILD/bench"
for p in "$BIN/huizong" "$BIN/huizong-aggregator" "$BIN/huizong-collector" "$B/resubmit"; do
    [ -x "$p" ] || { echo "federation.sh: $p missing: run bash bench/run.sh first (it builds $BUILD)" >&2; exit 2; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/huizong-fed.XXXXXX")
declare -A APID     # aggregator name -> pid
CPIDS=()
log() { echo "federation.sh: $*" >&2; }
now() { date +%s.%N; }
ms_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
cleanup() {
    local p
    for p in "${CPIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${APID[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    if [ "$KEEP" = 1 ]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# CPU seconds a live process has used, to the nanosecond (schedstat: time on a CPU)
cpu_of() { awk '{ printf "%.6f", $1 / 1e9 }' "/proc/$1/schedstat" 2>/dev/null; }

# agg NAME HIERARCHY [options...]: db $W/NAME, ipc://$W/NAME.sock, log $W/NAME.log
agg() {
    local name=$1 h=$2; shift 2
    "$BIN/huizong-aggregator" --db "$W/$name" --bind "ipc://$W/$name.sock" --hierarchy "$h" \
        --insecure "$@" 2>"$W/$name.log" &
    APID[$name]=$!
    for _ in $(seq 1 100); do [ -S "$W/$name.sock" ] && return 0; sleep 0.1; done
    tail -5 "$W/$name.log" >&2; log "aggregator $name did not start"; exit 1
}
up() { echo --upstream "ipc://$W/$1.sock" --upstream-insecure --as "$2" --upstream-interval "$INTERVAL"; }

echo "federation: $NPROV provinces, --upstream-interval $INTERVAL ms, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
R_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
"$BIN/huizong" gen --out "$W/gen" --seed 7 --provinces "$NPROV" --cities 2 --districts 2 \
    --departments 3 --units 5 >"$W/gen.log" 2>&1 || { tail -5 "$W/gen.log" >&2; exit 1; }
H="$W/gen/entities.csv"
PROVS=($(awk -F, '$3 == "province" { print $1 }' "$H"))
[ "${#PROVS[@]}" -eq "$NPROV" ] || { log "expected $NPROV provinces in $H, found ${#PROVS[@]}"; exit 1; }
YEAR=$(awk -F, 'NR == 2 { print $2; exit }' "$(ls "$W"/gen/submissions/*.csv | head -1)")
awk -F, 'NR == 1 || $3 == "province"' "$H" >"$W/national-entities.csv"
P1=${PROVS[0]}
CITIES1=($(awk -F, -v p="$P1" '$3 == "city" && $4 == p { print $1 }' "$H"))
awk -F, -v p="$P1" 'NR == 1 || $1 == p || ($3 == "city" && $4 == p)' "$H" >"$W/p1-entities.csv"

agg national "$W/national-entities.csv"
agg "p$P1" "$W/p1-entities.csv" $(up national "$P1")
for c in "${CITIES1[@]}"; do agg "c$c" "$H" $(up "p$P1" "$c"); done
for p in "${PROVS[@]:1}"; do agg "p$p" "$H" $(up national "$p"); done
NAT_PID=${APID[national]}

# where a department file goes: its city's aggregator in province 1, else its province's
target_of() {
    local code; code=$(basename "$1" .csv)
    if [ "${code:0:2}" = "${P1:0:2}" ]; then echo "c${code:0:4}00"; else echo "p${code:0:2}0000"; fi
}
FILES=("$W"/gen/submissions/*.csv)
FACTS=$(awk -F, 'FNR > 1 { n++ } END { print n }' "${FILES[@]}")
for f in "${FILES[@]}"; do
    t=$(target_of "$f")
    [ -S "$W/$t.sock" ] || { log "no aggregator $t for $f"; exit 1; }
done

# ---- 1. bulk
log "bulk: ${#FILES[@]} department files, $FACTS facts, one collector each"
nat_cpu0=$(cpu_of "$NAT_PID")
t0=$(now)
for i in "${!FILES[@]}"; do
    f=${FILES[$i]}
    "$BIN/huizong-collector" submit "$f" --to "ipc://$W/$(target_of "$f").sock" --spool "$W/spool$i" \
        --deadline 600 --timeout 30000 >"$W/collector$i.log" 2>&1 &
    CPIDS+=($!)
done
FAILED=0
for p in "${CPIDS[@]}"; do wait "$p" || FAILED=1; done
CPIDS=()
[ "$FAILED" = 0 ] || { log "a collector failed (see --keep)"; exit 1; }
R_BULK_MS=$(ms_since "$t0")
# summary figures of ENTITY in aggregator NAME's database
figs() { "$BIN/huizong" tree --db "$W/$1" --year "$YEAR" --entity "$2" --depth 0 --table summary --format csv --header ids 2>/dev/null |
         awk -F, 'NR > 1 { print $11 "," $13 "," $14 }'; }
converged() {
    local p
    for p in "${PROVS[@]}"; do
        local a b; a=$(figs national "$p"); b=$(figs "p$p" "$p")
        [ -n "$a" ] && [ "$a" = "$b" ] || return 1
    done
}
t1=$(now)
for _ in $(seq 1 600); do converged && break; sleep 0.05; done
converged || { log "the national aggregator did not converge within 30 s"; exit 1; }
R_CONVERGE_MS=$(ms_since "$t1")
R_TOTAL_MS=$(ms_since "$t0")

# ---- 2. lag: department ack -> national figure
# key KEY_ENTITY: the province's reported figure of the corrected key, at the national db
fig_of() { "$BIN/huizong" tree --db "$W/national" --year "$YEAR" --entity "$1" --depth 0 \
               --table "$2" --row "$3" --column "$4" --format csv --header ids 2>/dev/null | awk -F, 'NR == 2 { print $14 }'; }
DEPTS=($(awk -F, '$3 == "department" { print $1 }' "$H"))
LAGS=()
: >"$W/lags.txt"
for r in $(seq 0 $((ROUNDS - 1))); do
    # each round starts from a quiet federation: every aggregator's last forward is more
    # than an interval old, so what is measured is the path, not the rate limit (under
    # steady load a hop adds up to one interval: see the convergence after the bulk)
    sleep "$(awk -v m="$INTERVAL" 'BEGIN { print (m + 300) / 1000 }')"
    # even rounds: a department of province 1 (three hops: city, province, national);
    # odd rounds: a department of another province (two hops: province, national)
    if [ $((r % 2)) -eq 0 ]; then pre=${P1:0:2}; hops=3; else pre=${PROVS[$(( (r / 2) % (NPROV - 1) + 1 ))]:0:2}; hops=2; fi
    d=""
    for x in "${DEPTS[@]}"; do [ "${x:0:2}" = "$pre" ] && { d=$x; break; }; done
    f=$(grep -l "^$d," "${FILES[@]}" | head -1)
    t=$(target_of "$f")
    prov="${d:0:2}0000"
    "$B/resubmit" "ipc://$W/$t.sock" "$f" "$d" 1 $((2 * r + 1)) >"$W/resub$r.out" 2>"$W/resub$r.log" ||
        { cat "$W/resub$r.log" >&2; exit 1; }
    ta=$(now)
    tbl=$(awk -F= '$1 == "resubmit_table" { print $2 }' "$W/resub$r.out")
    row=$(awk -F= '$1 == "resubmit_row" { print $2 }' "$W/resub$r.out")
    col=$(awk -F= '$1 == "resubmit_column" { print $2 }' "$W/resub$r.out")
    before=$(cat "$W/fig$prov.$tbl.$row.$col" 2>/dev/null || echo none)
    [ "$before" = none ] && before=$(awk -F, -v t="$tbl" -v w="$row" -v c="$col" \
        '$10 == t && $11 == w && $13 == c { print $14 }' <("$BIN/huizong" tree --db "$W/p$prov" --year "$YEAR" \
        --entity "$prov" --depth 0 --table "$tbl" --row "$row" --column "$col" --format csv --header ids 2>/dev/null))
    # the province's own aggregator has the new figure once its cities forwarded; the
    # national one once the province forwarded: wait for it to differ from the previous
    seen=""
    for _ in $(seq 1 1500); do
        v=$(fig_of "$prov" "$tbl" "$row" "$col")
        if [ -n "$v" ] && [ "$v" != "$before" ]; then seen=$v; break; fi
        sleep "$(awk -v m="$POLL_MS" 'BEGIN { print m / 1000 }')"
    done
    [ -n "$seen" ] || { log "round $r: $d's correction never reached the national aggregator"; exit 1; }
    lag=$(ms_since "$ta")
    echo "$seen" >"$W/fig$prov.$tbl.$row.$col"
    echo "$hops $lag" >>"$W/lags.txt"
    log "round $r: department $d ($hops hops to national): ack -> national ${lag} ms"
done
pct() { local h=$1 q=$2; awk -v h="$h" '$1 == h || h == "all" { print $2 }' "$W/lags.txt" | sort -n |
        awk -v q="$q" '{ v[NR] = $1 } END { if (!NR) { print "n/a"; exit } i = int((NR * q + 99) / 100); if (i < 1) i = 1; print v[i] }'; }

# ---- 3. per level
nat_cpu1=$(cpu_of "$NAT_PID")
nat_fw=$(cat "$W"/p*.log | grep -c "upstream: .* forwarded" || true)
p1_fw=$(cat "$W"/c*.log | grep -c "upstream: .* forwarded" || true)
fw_facts=$(cat "$W"/p*.log | sed -n 's/.*forwarded, \([0-9]*\) facts.*/\1/p' | awk '{ s += $1; n++ } END { if (n) printf "%.0f", s / n; else print "n/a" }')
city_facts=$(cat "$W"/c*.log | sed -n 's/.*forwarded, \([0-9]*\) facts.*/\1/p' | awk '{ s += $1; n++ } END { if (n) printf "%.0f", s / n; else print "n/a" }')

{
echo "fed_provinces=$NPROV"
echo "fed_city_aggregators=${#CITIES1[@]}"
echo "fed_interval_ms=$INTERVAL"
echo "fed_facts=$FACTS"
echo "fed_submission_files=${#FILES[@]}"
echo "fed_bulk_ms=$R_BULK_MS"
echo "fed_leaf_facts_per_s=$(awk -v f="$FACTS" -v m="$R_BULK_MS" 'BEGIN { printf "%.0f", f * 1000 / m }')"
echo "fed_national_converge_after_bulk_ms=$R_CONVERGE_MS"
echo "fed_bulk_to_national_ms=$R_TOTAL_MS"
echo "fed_lag_rounds=$ROUNDS"
echo "fed_lag_2hop_p50_ms=$(pct 2 50)"
echo "fed_lag_2hop_max_ms=$(pct 2 100)"
echo "fed_lag_3hop_p50_ms=$(pct 3 50)"
echo "fed_lag_3hop_max_ms=$(pct 3 100)"
echo "fed_national_forwards_accepted=$nat_fw"
echo "fed_city_forwards_accepted=$p1_fw"
echo "fed_facts_per_province_forward=$fw_facts"
echo "fed_facts_per_city_forward=$city_facts"
echo "fed_national_cpu_s=$(awk -v a="$nat_cpu0" -v b="$nat_cpu1" 'BEGIN { printf "%.3f", b - a }')"
echo "fed_national_cpu_ms_per_forward=$(awk -v a="$nat_cpu0" -v b="$nat_cpu1" -v n="$nat_fw" 'BEGIN { if (n) printf "%.2f", (b - a) * 1000 / n; else print "n/a" }')"
echo "fed_national_verify=$("$BIN/huizong" verify --db "$W/national" 2>&1 | awk '/^核对完毕：/ { sub(/^核对完毕：/, ""); print $1 }') discrepancies"
echo "fed_loadavg_start=$R_LOAD"
echo "fed_loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$W/report.txt"
exit 0
