#!/usr/bin/env bash
# "No one let in": CURVE authentication (ZAP) and per-subtree authorisation with real
# processes over ipc://. Keys are made with `huizong keygen`; the aggregator runs with
# --curve-secret/--authorized (no --insecure). Checked:
#   - the right key is accepted and its data stored;
#   - a key not in the authorisation file, a collector without a key, and a collector
#     that trusts the wrong server key store nothing and exit 4 (pending) at their deadline;
#     the aggregator logs the ZAP refusal;
#   - a key authorised for 420112 (东西湖区) submitting 608 (宿州) is REJECTED with the
#     reason, exit 1, nothing stored;
#   - SIGHUP reloads the file: a revoked key is refused (new connections by ZAP, an open
#     connection per submission) while another key still works; a broken file keeps the
#     old table in force.
source "$(dirname "$0")/lib.sh.inc"
AUTH="$WORK/authorized"

SERVER=$(keygen server "aggregator 汇总") || fail "keygen server"
DXH=$(keygen dongxihu "420112 东西湖区") || fail "keygen dongxihu"
# Without --print key, keygen prints the authorized.txt line to paste: key, entities (a
# placeholder unless --entity is given), the name as a comment. 宿州's line is pasted as is.
mkdir -p "$KEYS"
SZ_LINE=$("$HZ" keygen --out "$KEYS/suzhou" --name "608 宿州市医疗保障局" --entity 608,335 2>"$WORK/keygen-line.err") ||
  fail "keygen --entity"
SZ=${SZ_LINE%% *}
[ "$SZ_LINE" = "$SZ  608,335  # 608 宿州市医疗保障局" ] || fail "keygen line: '$SZ_LINE'"
grep -q "authorized.txt" "$WORK/keygen-line.err" || fail "keygen does not say where the line goes"
line=$("$HZ" keygen --out "$KEYS/placeholder" --name "某单位" 2>"$WORK/keygen-ph.err") || fail "keygen placeholder"
[ "$line" = "${line%% *}  单位代码  # 某单位" ] || fail "keygen placeholder line: '$line'"
grep -q "replacing 单位代码" "$WORK/keygen-ph.err" || fail "keygen does not ask to replace the placeholder"
STRANGER=$(keygen stranger "not authorised") || fail "keygen stranger"
[ ${#SERVER} -eq 40 ] && [ ${#DXH} -eq 40 ] || fail "keygen did not print 40-character Z85 keys"
[ "$(stat -c %a "$KEYS/dongxihu_secret")" = 600 ] || fail "secret file mode is $(stat -c %a "$KEYS/dongxihu_secret"), not 600"
grep -qF "public-key = \"$DXH\"" "$KEYS/dongxihu" || fail "public file does not hold the printed key"
! grep -q secret-key "$KEYS/dongxihu" || fail "the public file holds a secret key"
before=$(cat "$KEYS/dongxihu_secret")
if keygen dongxihu again >/dev/null; then fail "keygen overwrote an existing keypair"; fi
[ "$(cat "$KEYS/dongxihu_secret")" = "$before" ] || fail "keygen changed an existing secret file"
echo "ok: keygen"

cat >"$AUTH" <<EOF
# collectors allowed to submit to this aggregator
$DXH  420112        # 东西湖区 and everything under it
$SZ_LINE
EOF

agg() { "$AGG" --db "$DB" --bind "$ENDPOINT" --hierarchy "$HIERARCHY" "$@"; }   # in the foreground
# send SPOOLNAME [collector options...] -- FILES...: submit with a short deadline
send() {
  local spool=$1; shift
  collector submit "$WORK/spool-$spool" --timeout 500 --deadline 3 "$@"
}
with_key() { echo --key "$KEYS/${1}_secret" --server-key "$KEYS/server"; }
stored() { "$HZ" show --db "$DB" --entity "$1" --year "$2" >/dev/null 2>&1; }
# in_log PATTERN: the aggregator log has it (a fixed string)
in_log() { grep -qF -- "$1" "$AGG_LOG"; }
wait_log() {   # wait_log PATTERN: until the aggregator log has it (5 s)
  local pattern=$1
  wait_for 5 'in_log "$pattern"' || fail "aggregator log never said: $pattern"
}

# Refusing to start: no security at all, a public file as the secret, a broken file.
rc=0; agg >"$WORK/start.out" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "refusing to serve without authentication" "$WORK/start.out" ||
  fail "aggregator without --curve-secret/--authorized/--insecure: exit $rc, $(cat "$WORK/start.out")"
rc=0; agg --curve-secret "$KEYS/server" --authorized "$AUTH" >"$WORK/start.out" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "no curve/secret-key" "$WORK/start.out" ||
  fail "public file as --curve-secret: exit $rc, $(cat "$WORK/start.out")"
printf '%s 420112\nnonsense here\n' "$DXH" >"$WORK/bad-auth"
rc=0; agg --curve-secret "$KEYS/server_secret" --authorized "$WORK/bad-auth" >"$WORK/start.out" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "bad-auth:2: 'nonsense' is not a public key" "$WORK/start.out" ||
  fail "broken authorisation file: exit $rc, $(cat "$WORK/start.out")"
echo "ok: the aggregator refuses to start insecure or misconfigured"

start_aggregator --curve-secret "$KEYS/server_secret" --authorized "$AUTH"
wait_log "authorisation $AUTH: 2 keys"

# 1. The right key: accepted and stored.
send dxh $(with_key dongxihu) "$HZ_EXAMPLES/dongxihu-2024.csv" >"$WORK/ok.out" 2>&1 ||
  { cat "$WORK/ok.out"; fail "authorised submission"; }
[ "$(grep -c ACCEPTED "$WORK/ok.out")" -eq 2 ] || fail "expected 2 accepted: $(cat "$WORK/ok.out")"
stored 026001 2024 || fail "026001 not stored"
wait_log "ZAP accepted connection from"
grep -qF "key $DXH" "$AGG_LOG" || fail "the log does not name the authenticated key"
echo "ok: an authorised key is accepted"

# 2. A key not in the file: the handshake is refused, nothing stored, exit 4 (pending).
t0=$(date +%s)
rc=0; send stranger $(with_key stranger) "$HZ_EXAMPLES/suzhou-2024.csv" >"$WORK/stranger.out" 2>&1 || rc=$?
[ $rc -eq 4 ] || { cat "$WORK/stranger.out"; fail "unknown key: exit $rc, expected 4"; }
[ $(( $(date +%s) - t0 )) -le 10 ] || fail "unknown key: the collector took longer than its deadline"
grep -q PENDING "$WORK/stranger.out" || fail "unknown key: no PENDING line"
! grep -q ACCEPTED "$WORK/stranger.out" || fail "unknown key: something was accepted"
wait_log "ZAP refused connection from"
grep -qF "key $STRANGER: key not in the authorisation file" "$AGG_LOG" ||
  fail "the aggregator did not log the refused key"
stored 608 2024 && fail "608 was stored from an unknown key"
# The collector says why, naming the likely causes, instead of only "no ack": with a
# deadline of a minute it still stops at the refusal, before the deadline.
t0=$(date +%s)
rc=0; collector submit "$WORK/spool-stranger2" --timeout 500 --deadline 60 $(with_key stranger) \
    "$HZ_EXAMPLES/suzhou-2024.csv" >"$WORK/stranger2.out" 2>&1 || rc=$?
[ $rc -eq 4 ] || { cat "$WORK/stranger2.out"; fail "unknown key (deadline 60): exit $rc, expected 4"; }
[ $(( $(date +%s) - t0 )) -lt 60 ] || fail "unknown key: the collector waited for its deadline"
grep -q "CURVE 握手失败：汇总端拒绝了本采集端的密钥" "$WORK/stranger2.out" ||
  { cat "$WORK/stranger2.out"; fail "unknown key: the collector does not say the handshake was refused"; }
grep -q "authorized.txt" "$WORK/stranger2.out" && grep -q -- "--server-key" "$WORK/stranger2.out" ||
  fail "unknown key: the likely causes are not named"
grep -q PENDING "$WORK/stranger2.out" || fail "unknown key (deadline 60): no PENDING line"
[ "$(pb_count "$WORK/spool-stranger2")" -ge 1 ] || fail "unknown key: the submission left the spool"
echo "ok: an unknown key is refused by ZAP, and the collector says why before its deadline"

# 3. No key at all against the CURVE aggregator: same.
rc=0; send nokey "$HZ_EXAMPLES/suzhou-2024.csv" >"$WORK/nokey.out" 2>&1 || rc=$?
[ $rc -eq 4 ] || { cat "$WORK/nokey.out"; fail "no key: exit $rc, expected 4"; }
grep -q PENDING "$WORK/nokey.out" || fail "no key: no PENDING line"
stored 608 2024 && fail "608 was stored from a collector without a key"
# The refusal itself is asserted above; the log line comes from a socket monitor whose
# event libzmq does not always raise for a plain-text peer, so its absence only warns.
wait_for 5 'in_log "the client does not use CURVE"' || echo "note: no monitor log line for the key-less collector"
echo "ok: a collector without a key is refused"

# 4. An authorised collector that trusts the wrong server key does not talk to it.
rc=0; collector submit "$WORK/spool-wrongserver" \
    --timeout 500 --deadline 2 --key "$KEYS/suzhou_secret" --server-key "$KEYS/stranger" \
    "$HZ_EXAMPLES/suzhou-2024.csv" >"$WORK/wrongserver.out" 2>&1 || rc=$?
[ $rc -eq 4 ] || { cat "$WORK/wrongserver.out"; fail "wrong server key: exit $rc, expected 4"; }
stored 608 2024 && fail "608 was stored over a connection to the wrong server key"
wait_log "CURVE handshake failed (the client holds a wrong --server-key?)"
grep -q "CURVE 握手失败" "$WORK/wrongserver.out" && grep -q -- "--server-key" "$WORK/wrongserver.out" ||
  { cat "$WORK/wrongserver.out"; fail "wrong server key: the collector does not name the cause"; }
echo "ok: a wrong server key fails the handshake"

# 5. Authorised key, entity outside its subtree: REJECTED with the reason, nothing stored.
rc=0; send dxh $(with_key dongxihu) "$HZ_EXAMPLES/suzhou-2024.csv" >"$WORK/outside.out" 2>&1 || rc=$?
[ $rc -eq 1 ] || { cat "$WORK/outside.out"; fail "outside its subtree: exit $rc, expected 1"; }
grep -qF "608 2024 274 facts REJECTED: key ${DXH:0:8}… may not submit for 608 (authorised: 420112)" "$WORK/outside.out" ||
  fail "no 'may not submit' reason: $(cat "$WORK/outside.out")"
wait_log "may not submit for 608 (authorised: 420112)"
stored 608 2024 && fail "608 was stored from a key authorised for 420112 only"
echo "ok: a key may not submit outside its subtrees"

# 6. An open connection (run --watch keeps its DEALER) is checked per submission too.
mkdir -p "$WORK/watch"
"$COL" run --watch "$WORK/watch" --to "$ENDPOINT" --spool "$WORK/spool-watch" \
    --timeout 500 $(with_key suzhou) >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH_PID=$!; bg_track "$WATCH_PID"
cp "$HZ_EXAMPLES/dazhou-2023.csv" "$WORK/watch/"
wait_for 10 '[ "$(grep -c ACCEPTED "$WORK/watch.out")" -ge 2 ]' || true   # exactly 2: next line
[ "$(grep -c ACCEPTED "$WORK/watch.out")" -eq 2 ] || fail "watch: dazhou not accepted: $(cat "$WORK/watch.out" "$WORK/watch.err")"

# 7. Revocation: drop the 宿州 key, SIGHUP. Its open connection is refused per submission,
#    its new connections by ZAP, while the 东西湖区 key still works.
{ grep -vF "$SZ" "$AUTH"; echo "# revoked: $SZ 608,335"; } >"$AUTH.new"
mv "$AUTH.new" "$AUTH"
[ "$(grep -c '^[^#]' "$AUTH")" -eq 1 ] || fail "test setup: could not comment the key out"
kill -HUP "$AGG_PID"
wait_log "authorisation reloaded: 1 keys"
cp "$HZ_EXAMPLES/suzhou-2024.csv" "$WORK/watch/"
wait_for 10 'grep -q "^608 .*REJECTED" "$WORK/watch.out"' || true   # the exact line: next
grep -qF "608 2024 274 facts REJECTED: key ${SZ:0:8}… is not (or no longer) in the aggregator's authorisation file" "$WORK/watch.out" ||
  fail "revoked key on an open connection: $(cat "$WORK/watch.out")"
stored 608 2024 && fail "608 stored after its key was revoked"
kill -TERM $WATCH_PID; wait $WATCH_PID 2>/dev/null || true
rc=0; send sz $(with_key suzhou) "$HZ_EXAMPLES/suzhou-2024.csv" >"$WORK/revoked.out" 2>&1 || rc=$?
[ $rc -eq 4 ] || { cat "$WORK/revoked.out"; fail "revoked key, new connection: exit $rc, expected 4"; }
stored 608 2024 && fail "608 stored after its key was revoked"
send dxh2 $(with_key dongxihu) "$HZ_EXAMPLES/dongxihu-2024.csv" >"$WORK/still.out" 2>&1 ||
  { cat "$WORK/still.out"; fail "the other key stopped working after the reload"; }
grep -q "ACCEPTED" "$WORK/still.out" || fail "the other key: nothing accepted"
echo "ok: a revoked key is refused after SIGHUP, the others still work"

# 8. A broken file on SIGHUP: logged, the table in force stays.
printf 'garbage\n' >>"$AUTH"
kill -HUP "$AGG_PID"
wait_log "authorised keys unchanged"
send dxh3 $(with_key dongxihu) "$HZ_EXAMPLES/dongxihu-2024.csv" >"$WORK/kept.out" 2>&1 ||
  { cat "$WORK/kept.out"; fail "a broken reload locked out an authorised key"; }
echo "ok: a broken authorisation file keeps the keys in force"

stop_aggregator
verify_clean
echo "auth: all good"
