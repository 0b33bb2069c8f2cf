#!/usr/bin/env bash
# `huizong gen`: deterministic from --seed, every identity exact (checked here by an
# independent awk reading of the CSV, and by `huizong-collector check` when it is built),
# and --faults 1 lists one injected fault of each kind in faults.csv.
source "$(dirname "$0")/lib.sh.inc"
GEN="$HZ gen"

$GEN --out "$WORK/a" --seed 42 --departments 2 --units 4 2>"$WORK/gen.err" || fail "gen exited non-zero: $(cat "$WORK/gen.err")"
$GEN --out "$WORK/b" --seed 42 --departments 2 --units 4 || fail "gen (again) exited non-zero"
$GEN --out "$WORK/c" --seed 43 --departments 2 --units 4 || fail "gen (seed 43) exited non-zero"
diff -r "$WORK/a" "$WORK/b" >/dev/null || fail "same seed gave different bytes"
diff -r "$WORK/a" "$WORK/c" >/dev/null && fail "different seeds gave identical output"
echo "ok: deterministic from --seed"

# Tree shape: 1 province, 2 cities, 2 districts each, 2 departments each, 4 units each.
[ "$(tail -n +2 "$WORK/a/entities.csv" | wc -l)" -eq $((1 + 2 + 4 + 8 + 32)) ] || fail "entities.csv has the wrong size"
[ "$(grep -c ',unit,' "$WORK/a/entities.csv")" -eq 32 ] || fail "expected 32 units"
[ "$(ls "$WORK/a/submissions" | wc -l)" -eq 8 ] || fail "expected one file per department (8)"
[ "$(tail -n +2 "$WORK/a/faults.csv" | wc -l)" -eq 0 ] || fail "faults.csv not empty with --faults 0"
echo "ok: tree shape"

# Independent identity check: amounts in 0.01 万元 integers; sums per entity.
check_identities() {
  awk -F, -v H="$1" '
    function cents(a,  p) { gsub(/"/, "", a); if (a !~ /^-?[0-9]+\.[0-9][0-9]$/) { print "bad amount " a; bad++ }
                            p = a; sub(/\./, "", p); return p + 0 }
    FNR == 1 && FILENAME == H { next }
    FILENAME == H { level[$1] = $3; parent[$1] = $4; next }
    FNR == 1 { next }
    { v = cents($7); key = $3 SUBSEP $4 SUBSEP $6; val[$1, key] = v; ents[$1] = 1; keys[$1, key] = 1
      if ($4 ~ /^[0-9]+$/ && ($3 == "income" || $3 == "expense" || $3 == "gpb_func")) {
        if (length($4) == 3) up = "total"; else up = substr($4, 1, length($4) - 2)
        kid[$1, $3 SUBSEP up SUBSEP $6] += v }
      if (level[$1] == "unit") { dsum[parent[$1], key] += v; hasunit[parent[$1], key] = 1 } }
    END {
      for (k in val) { split(k, p, SUBSEP); e = p[1]; t = p[2]; r = p[3]; c = p[4]
        if ((t == "income" || t == "expense" || t == "gpb_func") && r !~ /^[0-9]{7}$/) {
          if ((e, t SUBSEP r SUBSEP c) in kid && kid[e, t SUBSEP r SUBSEP c] != val[k]) { print "sum " e " " t "/" r "/" c ": " val[k] " != " kid[e, t SUBSEP r SUBSEP c]; bad++ } }
        if (t == "expense" && c == "total") {
          s = val[e, t SUBSEP r SUBSEP "basic"] + val[e, t SUBSEP r SUBSEP "project"] + val[e, t SUBSEP r SUBSEP "to_sub"]
          if (s != val[k]) { print "expense " e "/" r ": total != basic+project+to_sub"; bad++ } }
        if (level[e] == "department" && !(t == "projects" && r != "total")) {
          if (dsum[e, t SUBSEP r SUBSEP c] != val[k]) { print "level " e " " t "/" r "/" c ": " val[k] " != " dsum[e, t SUBSEP r SUBSEP c]; bad++ } } }
      for (e in ents) {
        et = val[e, "expense" SUBSEP "total" SUBSEP "total"]
        if (val[e, "summary" SUBSEP "expense_total" SUBSEP "amount"] != et || val[e, "summary" SUBSEP "income_total" SUBSEP "amount"] != et) { print "summary " e; bad++ }
        if (val[e, "fiscal" SUBSEP "expense_total" SUBSEP "gpb"] != val[e, "gpb_func" SUBSEP "total" SUBSEP "total"]) { print "fiscal " e; bad++ }
        if (val[e, "gpb_econ" SUBSEP "total" SUBSEP "basic"] != val[e, "gpb_func" SUBSEP "total" SUBSEP "basic"]) { print "gpb_econ " e; bad++ }
        if (val[e, "projects" SUBSEP "total" SUBSEP "total"] != val[e, "expense" SUBSEP "total" SUBSEP "project"]) { print "projects " e; bad++ }
        if (level[e] == "unit" && e ~ /001$/) { tosub[parent[e]] = val[e, "expense" SUBSEP "total" SUBSEP "to_sub"] }
        else if (level[e] == "unit") upper[parent[e]] += val[e, "income" SUBSEP "total" SUBSEP "upper"]
        n++ }
      for (d in tosub) if (tosub[d] != upper[d]) { print "transfer " d ": " tosub[d] " != " upper[d]; bad++ }
      if (n < 10) { print "too few entities: " n; bad++ }
      print n " entities checked, " bad + 0 " problems"; exit bad > 0 }' "$1" "${@:2}"
}
check_identities "$WORK/a/entities.csv" "$WORK/a"/submissions/*.csv || fail "an identity does not hold in generated data"
echo "ok: identities exact"

# Facts per unit: 100-300.
awk -F, 'FNR > 1 { n[$1]++ } END { for (e in n) if (length(e) == 12 && (n[e] < 100 || n[e] > 300)) { print e " has " n[e] " facts"; bad = 1 } exit bad }' \
  "$WORK/a"/submissions/*.csv || fail "a unit has fewer than 100 or more than 300 facts"

if [ -x "$HZ_BIN/huizong-collector" ]; then
  "$HZ_BIN/huizong-collector" check --hierarchy "$WORK/a/entities.csv" "$WORK/a"/submissions/*.csv >"$WORK/check.out" 2>&1 ||
    { tail -n 40 "$WORK/check.out"; fail "huizong-collector check reports error-severity findings on --faults 0 data"; }
  tail -n 1 "$WORK/check.out"
  echo "ok: collector check clean"
else
  echo "SKIP collector check: $HZ_BIN/huizong-collector not built yet"
fi

# One fault of each kind, listed; the awk check must now see problems.
$GEN --out "$WORK/f" --seed 42 --departments 2 --units 4 --faults 1 || fail "gen --faults 1 exited non-zero"
head -n 1 "$WORK/f/faults.csv" >"$WORK/faults-header.csv"
grep -qx 'kind,entity,year,table,row,column,detail' "$WORK/faults-header.csv" || fail "faults.csv header"
for kind in intra_table cross_table level_mismatch missing_unit transfer_mismatch malformed_code; do
  [ "$(grep -c "^$kind," "$WORK/f/faults.csv")" -eq 1 ] || fail "faults.csv lacks exactly one $kind"
done
[ "$(tail -n +2 "$WORK/f/faults.csv" | wc -l)" -eq 6 ] || fail "faults.csv should list exactly 6 faults"
missing=$(awk -F, '$1 == "missing_unit" { print $2 }' "$WORK/f/faults.csv")
grep -q "^$missing," "$WORK/f"/submissions/*.csv && fail "missing unit $missing was written"
malformed=$(awk -F, '$1 == "malformed_code" { print $2 "," $3 ",income," $5 }' "$WORK/f/faults.csv")
grep -q "^$malformed," "$WORK/f"/submissions/*.csv || fail "malformed code not in the data: $malformed"
check_identities "$WORK/f/entities.csv" "$WORK/f"/submissions/*.csv >/dev/null && fail "faults injected but every identity holds"
# Apart from the faults the data is the same as without them.
[ "$(diff "$WORK/a/entities.csv" "$WORK/f/entities.csv" | wc -l)" -eq 0 ] || fail "faults changed the hierarchy"
echo "ok: faults"

$GEN --out "$WORK/x" --seed 1 --units 0 2>/dev/null && fail "--units 0 accepted"
rc=0; $GEN --out "$WORK/x" 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "missing --seed is not a usage error (exit $rc)"
$GEN --help >"$WORK/gen-help.txt" || fail "--help exited non-zero"
grep -q 'faults' "$WORK/gen-help.txt" || fail "--help"
echo "gen: all good"
