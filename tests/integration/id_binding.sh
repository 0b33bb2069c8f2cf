#!/usr/bin/env bash
# id_binding.sh -- ids belong to their sender and content (issue 10, finding 1).
#
# A submission id is bound, in the store, to the CURVE key that sent it, its entity, year
# and content digest (store/bindings.c). Real CURVE keys (huizong keygen), a real
# aggregator with --curve-secret/--authorized, raw sends by `huizong-collector probe`:
#   - 宿州 (key SZ, authorised for 608) submits suzhou-2024.csv: 608 2024 v1, its id ID608;
#   - 东西湖 (key DXH, authorised only for 420112) sends Submission{id=ID608, entity=026001,
#     1 fact}: REJECTED with the id-taken reason, an ack that names only what DXH sent
#     (entity 026001, 1 fact, version 0, no flags) -- before, it got 608's ack back (274
#     facts, its flags) -- and nothing is stored for 026001;
#   - SZ itself reuses ID608 for other content (608, 1 fact): REJECTED the same way;
#   - a key authorised for the whole province (PROV) resends 608's exact spooled bytes:
#     same entity, year and content, another key: REJECTED the same way;
#   - SZ resends those exact bytes: ACCEPTED v1 replayed, the stored ack (274 facts) --
#     the resend ids exist for still works;
#   - 608 still has exactly one version and `huizong verify` is clean.
source "$(dirname "$0")/lib.sh.inc"
[ -x "$KIT" ] || { echo "SKIP: $KIT not built (target hz-testkit)"; exit 77; }
export LC_ALL=C
AUTH="$WORK/authorized"
SERVER=$(keygen server) || fail "keygen server"
DXH=$(keygen dongxihu) || fail "keygen dongxihu"
SZ=$(keygen suzhou) || fail "keygen suzhou"
PROV=$(keygen province) || fail "keygen province"
cat >"$AUTH" <<EOF
$DXH  420112
$SZ   608
$PROV 340000
EOF
grep -q '^608,.*,341300$' "$HIERARCHY" && grep -q '^341300,.*,340000$' "$HIERARCHY" ||
  fail "test set-up: 608 is not under 340000 in $HIERARCHY"
start_aggregator --curve-secret "$KEYS/server_secret" --authorized "$AUTH"
with_key() { echo --key "$KEYS/${1}_secret" --server-key "$KEYS/server"; }

# 宿州 spools its file first (nobody listening), keeps a copy of the spool file, then sends it.
spool_only "$WORK/spool-sz" "$HZ_EXAMPLES/suzhou-2024.csv"
cp "$WORK"/spool-sz/*.pb "$WORK/608.spooled" || fail "no spool file for 608"
collector flush "$WORK/spool-sz" $(with_key suzhou) >"$WORK/sz.out" 2>&1 ||
  fail "宿州's flush failed: $(cat "$WORK/sz.out")"
grep -q '^608 2024 274 facts ACCEPTED v1 ' "$WORK/sz.out" || fail "608 not accepted: $(cat "$WORK/sz.out")"
ID608=$(versions_of 608 2024 | awk '$1 == 1 { print $2 }')
[ -n "$ID608" ] || fail "no id stored for 608 v1"
echo "ok: 608 2024 v1 stored under id $ID608"

want="submission id '$ID608' is already bound to another submission (another sender, entity, year or content); nothing of it is sent back: a new submission needs a new id"
# refused NAME ENTITY FACTS: the probe's ack is the id-taken refusal and names only what was sent
refused() {
  local out=$WORK/$1.out got
  grep -q ' status=REJECTED version=0 replayed=0 flags=E0/W0/I0 ' "$out" || fail "$1: $(cat "$out")"
  grep -q "^id=$ID608 entity=$2 year=2024 facts=$3 " "$out" || fail "$1: the ack does not name what was sent: $(cat "$out")"
  got=$(sed -n 's/.* reason=//p' "$out")
  [ "$got" = "$want" ] || fail "$1: reason '$got', expected '$want'"
  echo "ok: $1 -> REJECTED, nothing of 608's ack"
}

# 东西湖's key, 608's id, its own entity 026001, one fact
"$KIT" make --out "$WORK/steal.pb" --entity 026001 --year 2024 --id "$ID608" >/dev/null
probe --timeout 5000 $(with_key dongxihu) "$WORK/steal.pb" >"$WORK/steal.out" 2>&1 || fail "steal: no ack: $(cat "$WORK/steal.out")"
refused steal 026001 1
rc=0; "$HZ" show --db "$DB" --entity 026001 --year 2024 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "026001 2024 was stored (show exit $rc)"

# 宿州's own key, the same id, other content
"$KIT" make --out "$WORK/other.pb" --entity 608 --year 2024 --id "$ID608" >/dev/null
probe --timeout 5000 $(with_key suzhou) "$WORK/other.pb" >"$WORK/other.out" 2>&1 || fail "other: no ack"
refused other 608 1

# the exact bytes of 608's spool file, sent with another key that may submit for 608
off=$(od -An -tu1 -j10 -N2 "$WORK/608.spooled" | awk '{ print $1 * 256 + $2 }')
tail -c +$((off + 1)) "$WORK/608.spooled" >"$WORK/608.payload"
probe --timeout 5000 $(with_key province) "$WORK/608.payload" >"$WORK/prov.out" 2>&1 || fail "prov: no ack"
refused prov 608 274

# and with 宿州's key: the resend the id is for, answered with the stored ack
probe --timeout 5000 $(with_key suzhou) "$WORK/608.payload" >"$WORK/resend.out" 2>&1 || fail "resend: no ack"
grep -q "^id=$ID608 entity=608 year=2024 facts=274 status=ACCEPTED version=1 replayed=1 " "$WORK/resend.out" ||
  fail "resend: not the stored ack: $(cat "$WORK/resend.out")"
echo "ok: the same key, entity, year and content gets the stored ack (replayed)"

[ "$(versions_of 608 2024 | wc -l)" -eq 1 ] || fail "608 2024 has more than one version"
verify_clean
echo "id_binding: ok"
