#!/usr/bin/env bash
# hostile_wire.sh -- the aggregator refuses hostile Submission bytes with an exact reason,
# stores nothing of them, and keeps serving everyone else.
#
# The bytes are crafted by `hz-testkit make` (tests/tools/hz-testkit.c: a submission_t packed
# by core/wire.c, whose encoder never validates) and sent by `huizong-collector probe`, which
# prints the ack. Each refused case uses its own entity/year, and `huizong show` must exit 3
# ("nothing submitted") for it afterwards. Cases:
#   over --max-msg (a well-formed 5 MB Submission): connection dropped, no ack, others served
#   truncated protobuf, year 0, a 1 MB row, invalid UTF-8 in entity / row / name, the same
#   table/row/column twice, unknown table 42 / column 99 / scope 7 (named as "newer
#   collector"), 100,001 facts (over SUBMISSION_FACTS_MAX), a narrative text of
#   SUBMISSION_TEXT_MAX + 1 bytes, a text with a byte that is not UTF-8
#   INT64_MAX in two units of one department: the first is stored, the second would
#   overflow the department's consolidated total and is REJECTED; the department total is
#   still exactly INT64_MAX fen, the second unit has nothing stored; a unit resubmitting
#   INT64_MAX -> INT64_MIN is applied (old out, new in: the delta itself would not fit), a
#   sibling's -1 then overflows downwards and is rejected
#   INT64_MIN is a legal amount (stored, shown exactly); "-0.00" in a CSV is 0 fen: sint64
#   (zigzag) has no negative zero, so there is nothing to smuggle through the wire there
#   a flood of 2,000 garbage messages from one peer while a second peer's real submission
#   is ACCEPTED within 5 s; every garbage message gets its rejection, or its ack is dropped
#   because the flooder's pipe is full and the aggregator logs the drop
# Finally `huizong verify` is clean.
source "$(dirname "$0")/lib.sh.inc"
[ -x "$KIT" ] || { echo "SKIP: $KIT not built (target hz-testkit)"; exit 77; }
export LC_ALL=C
FAIL_TAIL=20
MAX_MSG=4000000

start_aggregator --max-msg "$MAX_MSG"

# send NAME MAKE-ARGS... : crafts the bytes, probes, leaves the ack line in $WORK/NAME.out
send() {
    local name=$1; shift
    "$KIT" make --out "$WORK/$name.pb" "$@" >/dev/null || fail "$name: hz-testkit make failed"
    probe --timeout 5000 "$WORK/$name.pb" >"$WORK/$name.out" 2>&1
}

# nothing ENTITY YEAR: the store has no submission for it (show exits 3 and says 无 YEAR 年报送数据)
nothing() {
    local rc=0 out
    out=$("$HZ" show --db "$DB" --entity "$1" --year "$2" 2>&1) || rc=$?
    [ "$rc" -eq 3 ] || fail "$1 $2: huizong show exit $rc, expected 3 (nothing stored): $out"
    [[ $out == *"无 $2 年报送数据"* ]] || fail "$1 $2: show did not say 无 $2 年报送数据: $out"
}

# rejected NAME ENTITY YEAR REASON MAKE-ARGS...
rejected() {
    local name=$1 entity=$2 year=$3 reason=$4; shift 4
    send "$name" --entity "$entity" --year "$year" "$@" || fail "$name: no ack (probe exit $?)"
    grep -q ' status=REJECTED ' "$WORK/$name.out" || fail "$name: not rejected: $(cat "$WORK/$name.out")"
    local got; got=$(sed -n 's/.* reason=//p' "$WORK/$name.out")
    [ "$got" = "$reason" ] || fail "$name: reason '$got', expected '$reason'"
    if [ "$year" -ge 1900 ]; then nothing "$entity" "$year"; fi
    echo "ok: $name -> $reason"
}

accepted() {   # accepted NAME VERSION: the probe's ack says ACCEPTED vVERSION, fresh
    grep -q " status=ACCEPTED version=$2 replayed=0 " "$WORK/$1.out" || fail "$1: not ACCEPTED v$2: $(cat "$WORK/$1.out")"
}

# A valid one first, so the refusals below are refusals of the bytes, not of the setup.
send valid --entity 335001 --year 2030 || fail "valid: no ack"
accepted valid 1

# Over --max-msg: a well-formed Submission of ~5 MB (10,000 facts, 500-byte names).
"$KIT" make --out "$WORK/big.pb" --entity 335001 --year 2031 --facts 10000 --name-len 500 >/dev/null
[ "$(stat -c %s "$WORK/big.pb")" -gt "$MAX_MSG" ] || fail "test setup: big.pb is not over --max-msg"
rc=0; probe --timeout 1500 "$WORK/big.pb" >"$WORK/big.out" 2>&1 || rc=$?
[ "$rc" -eq 4 ] || fail "over --max-msg: probe exit $rc, expected 4 (connection dropped, no ack)"
kill -0 "$AGG_PID" 2>/dev/null || fail "aggregator died on an oversize message"
nothing 335001 2031
send after_big --entity 335001 --year 2030 || fail "after the oversize message: no ack"
accepted after_big 2
echo "ok: over --max-msg dropped without an ack; the next peer is served"

M="malformed submission:"
NEWER="(newer collector? upgrade the aggregator)"
rejected truncated 026001 2032 "$M malformed protobuf" --truncate 20
rejected year0 026001 0 "$M year 0 out of range 1900..9999"
grep -q "REJECTED: $M year 0 out of range" "$AGG_LOG" || fail "year 0: not logged as rejected"
rejected longrow 026001 2033 "$M fact 1: row longer than 48 bytes" --row-len 1000000
rejected utf8_entity 026001 2034 "$M entity is not valid UTF-8" --bad-utf8 entity
rejected utf8_row 026001 2035 "$M fact 1: row is not valid UTF-8" --bad-utf8 row
rejected utf8_name 026001 2036 "$M fact 1: name is not valid UTF-8" --bad-utf8 name
rejected duplicate 026001 2037 "$M duplicate fact expense/total/total: line 2 and line 3" --facts 2 --dup
rejected table42 026001 2038 "$M fact 1: unknown table 42 $NEWER" --table 42
rejected column99 026001 2039 "$M fact 1: unknown column 99 $NEWER" --column 99
rejected scope7 026001 2040 "$M unknown scope 7 $NEWER" --scope 7
rejected facts100001 026001 2041 "$M too many facts (100001, at most 100000)" --facts 100001
rejected bigtext 026001 2046 "$M text: 2097153 bytes, more than the limit of 2097152 bytes" --text-len 2097153
rejected utf8_text 026001 2047 "$M text t.txt is not valid UTF-8" --text-len 100 --bad-utf8 text

# INT64_MAX in two units of department 026: the second overflows 026's consolidated total.
send max1 --entity 026-hczx --year 2042 --fen max || fail "max1: no ack"
accepted max1 1
rejected max2 026-fwzx 2042 "amounts of '026-fwzx' overflow a consolidated total" --fen max
tree_total() {   # computed expense/total/total of ENTITY in YEAR, as printed by huizong tree
    "$HZ" tree --db "$DB" --year "$2" --entity "$1" --depth 0 --table expense --row total \
        --column total --format csv --header ids | awk -F, 'NR == 2 { print $16 }'
}
[ "$(tree_total 026 2042)" = "9223372036854.775807" ] || fail "026 total after the overflow: '$(tree_total 026 2042)', expected INT64_MAX fen"
[ "$(tree_total 420000 2042)" = "9223372036854.775807" ] || fail "province total after the overflow: '$(tree_total 420000 2042)'"
echo "ok: overflow rejected, department total still exactly INT64_MAX fen"

# A resubmission swings a unit from INT64_MAX to INT64_MIN: the delta (2^64 - 1 fen) does not
# fit in an int64, old-out-new-in does. Then INT64_MIN + -1 in a sibling overflows downwards,
# and INT64_MIN + INT64_MAX = -1 fen is fine.
send swing1 --entity 026-hczx --year 2045 --fen max || fail "swing1: no ack"
accepted swing1 1
send swing2 --entity 026-hczx --year 2045 --fen min || fail "swing2: no ack"
accepted swing2 2
rejected under 026-fwzx 2045 "amounts of '026-fwzx' overflow a consolidated total" --fen -1
send balance --entity 026-fwzx --year 2045 --fen max || fail "balance: no ack"
accepted balance 1
[ "$(tree_total 026 2045)" = "-0.000001" ] || fail "026 total after the swing: '$(tree_total 026 2045)', expected -1 fen"
echo "ok: INT64_MAX -> INT64_MIN resubmission applied; downward overflow rejected; MIN + MAX = -1 fen"

# INT64_MIN is a legal sint64 and is stored exactly; "-0.00" is 0 fen (no -0 in sint64).
send min --entity 026001 --year 2043 --fen min || fail "min: no ack"
accepted min 1
got=$("$HZ" show --db "$DB" --entity 026001 --year 2043 --format csv --header ids | "$KIT" facts - | cut -f6) || true
[ "$got" = "-9223372036854775808" ] || fail "INT64_MIN stored as '$got'"
printf 'entity,year,table,row,name,column,amount\n335001,2044,expense,total,,total,-0.00\n' >"$WORK/negzero.csv"
submit "$WORK/negzero.csv" >"$WORK/negzero.out" 2>&1 \
    || fail "negzero: submit failed: $(cat "$WORK/negzero.out")"
got=$("$HZ" show --db "$DB" --entity 335001 --year 2044 --format csv --header ids | awk -F, 'NR == 2 { print $8 }') || true
[ "$got" = "0.00" ] || fail "-0.00 stored as '$got', expected 0.00"
echo "ok: INT64_MIN stored exactly; -0.00 is 0 fen"

# Flood: 2,000 garbage messages from peer A while peer B's real submission goes through.
grep -E '^(entity|335001),' "$HZ_EXAMPLES/dazhou-2023.csv" >"$WORK/335001.csv"   # one entity: a plain Submission
spool_only "$WORK/spool-real" "$WORK/335001.csv"
real=$(ls "$WORK"/spool-real/*.pb | head -1) || true
[ -f "$real" ] || fail "test setup: no spooled real submission"
dropped_before=$(grep -c 'ack for - not delivered' "$AGG_LOG" || true)
"$KIT" flood --to "$ENDPOINT" --count 2000 --real "$real" --within 5000 >"$WORK/flood.out" 2>&1 \
    || fail "flood: $(cat "$WORK/flood.out")"
# Every garbage message is answered, or its ack is dropped because the flooder's pipe was
# full (ZMQ_DONTWAIT: a peer that does not keep up never blocks the aggregator) and logged.
rejected=$(sed -n 's/^flood sent=2000 rejected=\([0-9]*\) other=0$/\1/p' "$WORK/flood.out")
[ -n "$rejected" ] || fail "flood: $(cat "$WORK/flood.out")"
dropped=$(( $(grep -c '^huizong-aggregator: ack for - not delivered: Resource temporarily unavailable$' "$AGG_LOG" || true) - dropped_before ))
[ $((rejected + dropped)) -eq 2000 ] || fail "flood: $rejected rejections + $dropped logged drops != 2000 messages"
grep -q '^flood first reason=malformed submission: malformed protobuf$' "$WORK/flood.out" \
    || fail "flood: wrong reason: $(cat "$WORK/flood.out")"
grep -q '^real status=ACCEPTED .*version=1 replayed=0 ' "$WORK/flood.out" || fail "flood: real submission: $(cat "$WORK/flood.out")"
real_entity=$(sed -n 's/^real status=ACCEPTED entity=\([^ ]*\) year=\([0-9]*\) .*/\1 \2/p' "$WORK/flood.out")
"$HZ" show --db "$DB" --entity "${real_entity% *}" --year "${real_entity#* }" >/dev/null \
    || fail "flood: the accepted real submission ($real_entity) is not in the store"
echo "ok: $(grep '^real' "$WORK/flood.out" | sed 's/ reason=-//') during a 2,000-message flood" \
     "($rejected rejections received, $dropped acks dropped for the full pipe and logged)"

# Nothing above may have left a trace in the totals.
verify_clean

stop_aggregator
echo "hostile_wire: ok"
