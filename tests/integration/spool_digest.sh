#!/usr/bin/env bash
# spool_digest.sh -- integrity end to end (issue 10, finding 2): no figure changes between
# the file the collector read and the version the aggregator stores.
#
#   1. dazhou-2023.csv is spooled with nobody listening (335 and 335001: one spool file, one
#      verdict). One bit is flipped on disk so 50.60 万元 (50600000 fen) reads 50601024 fen --
#      before, it decoded, was sent, ACCEPTED and stored. Now the flush refuses it from its
#      digest: the line names the file and the part whose figures changed, the file moves
#      to rejected/ with that reason, exit 1, and nothing of either entity is stored. The
#      same flip in a one-entity file is named by the header's entity and year.
#   2. A truncated and an empty spool file: refused the same way (the truncated one named by
#      its header's entity and year, the empty one by its file name).
#   3. On the wire: a submission whose digest is not its content's is REJECTED by the
#      aggregator ("digest mismatch"), nothing stored; with the right digest it is
#      ACCEPTED and the ack and `show` carry that digest.
source "$(dirname "$0")/lib.sh.inc"
[ -x "$KIT" ] || { echo "SKIP: $KIT not built (target hz-testkit)"; exit 77; }
export LC_ALL=C
start_aggregator
SP=$WORK/spool
spool_only "$SP" "$HZ_EXAMPLES/dazhou-2023.csv"   # 335 and 335001: one spool file (one verdict)
[ "$(pb_count "$SP")" -eq 1 ] || fail "dazhou-2023.csv did not spool as one file"
f=$(ls "$SP"/*.pb)
name=$(basename "$f" .pb)
"$KIT" flip "$f" 50600000 50601024 || fail "flip failed"

rc=0; collector flush "$SP" >"$WORK/flush.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "flush of a damaged spool: exit $rc, expected 1: $(cat "$WORK/flush.out")"
line=$(cat "$WORK/flush.out")
[[ $line =~ ^"* 2023 232 facts REJECTED: damaged spool file $name.pb (a file of several parts, 232 facts): digest mismatch: the figures of 335"(001)?" 2023 in the file are not the figures read from dazhou-2023.csv"$ ]] ||
  fail "the line: $line"
[ -f "$SP/rejected/$name.pb" ] || fail "the damaged file is not in rejected/"
grep -qE "damaged spool file $name.pb .*: digest mismatch: the figures of 335(001)? 2023" "$SP/rejected/$name.reason" ||
  fail "reason file: $(cat "$SP/rejected/$name.reason" 2>/dev/null)"
for e in 335 335001; do
  rc=0; "$HZ" show --db "$DB" --entity $e --year 2023 >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq 3 ] || fail "$e 2023 was stored (show exit $rc)"
done
echo "ok: a flipped bit (50600000 -> 50601024 fen) is refused from the spool, named, nothing stored"

# the same flip in a file of one entity: named by the header's entity and year
grep -E '^(entity|335001),' "$HZ_EXAMPLES/dazhou-2023.csv" >"$WORK/335001.csv"
SP1=$WORK/spool1
spool_only "$SP1" "$WORK/335001.csv"
f=$(ls "$SP1"/*.pb)
name=$(basename "$f" .pb)
"$KIT" flip "$f" 50600000 50601024 >/dev/null || fail "flip failed"
rc=0; collector flush "$SP1" >"$WORK/flush1.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "flush: exit $rc: $(cat "$WORK/flush1.out")"
[ "$(cat "$WORK/flush1.out")" = "335001 2023 107 facts REJECTED: damaged spool file $name.pb (entity 335001, year 2023): digest mismatch: the figures in the file are not the figures read from 335001.csv" ] ||
  fail "335001's line: $(cat "$WORK/flush1.out")"
grep -qF "damaged spool file $name.pb (entity 335001, year 2023): digest mismatch" "$SP1/rejected/$name.reason" ||
  fail "reason file: $(cat "$SP1/rejected/$name.reason" 2>/dev/null)"
echo "ok: ... and in a file of one entity, named by entity and year"

# 2. truncated and empty spool files
SP2=$WORK/spool2
spool_only "$SP2" "$HZ_EXAMPLES/suzhou-2024.csv"
cut=$(ls "$SP2"/*.pb)
cutname=$(basename "$cut" .pb)
truncate -s -5 "$cut"
: >"$SP2/empty0000.pb"
rc=0; collector flush "$SP2" >"$WORK/flush2.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "flush of damaged files: exit $rc: $(cat "$WORK/flush2.out")"
grep -q "^608 2024 274 facts REJECTED: damaged spool file $cutname.pb (entity 608, year 2024): the submission does not decode" "$WORK/flush2.out" ||
  fail "truncated file: $(cat "$WORK/flush2.out")"
grep -qF "REJECTED: damaged spool file empty0000.pb (entity and year unknown: no readable header): empty file" "$WORK/flush2.out" ||
  fail "empty file: $(cat "$WORK/flush2.out")"
! grep -q "year 0 out of range" "$WORK/flush2.out" || fail "misleading reason: $(cat "$WORK/flush2.out")"
[ -f "$SP2/rejected/empty0000.reason" ] && [ -f "$SP2/rejected/$cutname.reason" ] || fail "reasons not in rejected/"
rc=0; "$HZ" show --db "$DB" --entity 608 --year 2024 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "608 2024 was stored from a truncated file"
echo "ok: truncated and empty spool files are refused and named"

# 3. the aggregator checks the digest on receipt
"$KIT" make --out "$WORK/wrong.pb" --entity 026001 --year 2024 --digest zero >/dev/null
probe --timeout 5000 "$WORK/wrong.pb" >"$WORK/wrong.out" 2>&1 || fail "wrong: no ack"
grep -q ' status=REJECTED .* reason=digest mismatch: the figures received for 026001 2024 are not the figures its collector read' "$WORK/wrong.out" ||
  fail "a wrong digest was not refused: $(cat "$WORK/wrong.out")"
rc=0; "$HZ" show --db "$DB" --entity 026001 --year 2024 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "026001 2024 stored despite a wrong digest"
"$KIT" make --out "$WORK/right.pb" --entity 026001 --year 2024 --digest auto >/dev/null
probe --timeout 5000 "$WORK/right.pb" >"$WORK/right.out" 2>&1 || fail "right: no ack"
acked=$(sed -n 's/.* status=ACCEPTED version=1 replayed=0 .* digest=\([0-9a-f]\{64\}\) .*/\1/p' "$WORK/right.out")
[ -n "$acked" ] || fail "right digest: $(cat "$WORK/right.out")"
shown=$("$HZ" show --db "$DB" --entity 026001 --year 2024 --format json | grep -o '"digest":"[0-9a-f]*"' | cut -d'"' -f4)
[ "$shown" = "$acked" ] || fail "show's digest '$shown' is not the ack's '$acked'"
echo "ok: the aggregator refuses a wrong digest and stores, acks and shows the right one"
verify_clean
echo "spool_digest: ok"
