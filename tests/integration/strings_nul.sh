#!/usr/bin/env bash
# strings_nul.sh -- a string is what it says (issue 10, finding 8): a NUL byte inside the
# entity, a fact's row or name, the source or the id is REJECTED with a reason naming the
# field, never cut at the NUL ("026001\0x" was stored as 026001 before).
#
# The bytes are crafted by `hz-testkit make --nul FIELD` (the value gets "\0x" appended on
# the wire) and sent raw by `huizong-collector probe`. For each field: the ack is REJECTED
# with "malformed submission: <field> contains a NUL byte", and `huizong show` finds nothing
# for 026001 2024. A control case with the same bytes minus the NUL is ACCEPTED, so the
# refusals are of the NUL, not of the set-up. Then `huizong verify` is clean.
source "$(dirname "$0")/lib.sh.inc"
[ -x "$KIT" ] || { echo "SKIP: $KIT not built (target hz-testkit)"; exit 77; }
export LC_ALL=C
start_aggregator

nothing() {
  local rc=0 out
  out=$("$HZ" show --db "$DB" --entity "$1" --year "$2" 2>&1) || rc=$?
  [ "$rc" -eq 3 ] || fail "$1 $2: huizong show exit $rc, expected 3 (nothing stored): $out"
}

for field in entity row name source id; do
  case $field in
    entity) want="malformed submission: entity contains a NUL byte";;
    row)    want="malformed submission: fact 1: row contains a NUL byte";;
    name)   want="malformed submission: fact 1: name contains a NUL byte";;
    source) want="malformed submission: source contains a NUL byte";;
    id)     want="malformed submission: submission id contains a NUL byte";;
  esac
  "$KIT" make --out "$WORK/$field.pb" --entity 026001 --year 2024 --nul "$field" >/dev/null ||
    fail "$field: hz-testkit make failed"
  # the NUL is really inside the string on the wire: "\0x" follows the value
  bytes=$(od -An -c "$WORK/$field.pb" | tr -s ' ')     # whole, not piped into grep -q
  case "$bytes" in *'\0 x'*) ;; *) fail "$field: no NUL in the bytes";; esac
  probe --timeout 5000 "$WORK/$field.pb" >"$WORK/$field.out" 2>&1 || true
  grep -q ' status=REJECTED ' "$WORK/$field.out" || fail "$field: not rejected: $(cat "$WORK/$field.out")"
  got=$(sed -n 's/.* reason=//p' "$WORK/$field.out")
  [ "$got" = "$want" ] || fail "$field: reason '$got', expected '$want'"
  nothing 026001 2024
  echo "ok: NUL in $field -> $got"
done

# control: the same submission without the NUL is stored
"$KIT" make --out "$WORK/plain.pb" --entity 026001 --year 2024 >/dev/null
probe --timeout 5000 "$WORK/plain.pb" >"$WORK/plain.out" 2>&1 || fail "plain: $(cat "$WORK/plain.out")"
grep -q ' status=ACCEPTED version=1 ' "$WORK/plain.out" || fail "plain: not accepted: $(cat "$WORK/plain.out")"
"$HZ" show --db "$DB" --entity 026001 --year 2024 >/dev/null || fail "plain: not stored"
verify_clean
echo "strings_nul: ok"
