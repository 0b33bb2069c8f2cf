#!/usr/bin/env bash
# The event feed leaks nothing (issue 10, "the event feed leaks nothing"): without
# --insecure no figure, submission id or reason reaches a party that could not read it
# from the store.
#  1. --events-authorized FILE: the events socket is CURVE; a listed key (huizong watch
#     --key/--server-key) gets the full events; no key, an unlisted key, and a collector's
#     key (authorised to submit, not to watch) get nothing.
#  2. without --events-authorized: events carry kind, entity, year and version only (no
#     submission id, amount, count or reason) for anyone.
# Before: the feed was plaintext and complete for whoever connected (ids, totals, reasons).
source "$(dirname "$0")/lib.sh.inc"
SERVER=$(keygen server) || fail "keygen server"
DXH=$(keygen dongxihu) || fail "keygen dongxihu"
WATCHER=$(keygen watcher) || fail "keygen watcher"
keygen stranger >/dev/null || fail "keygen stranger"
AUTH="$WORK/authorized.txt" SUBS="$WORK/subscribers.txt"
echo "$DXH 420112" >"$AUTH"
echo "$WATCHER *   # the finance centre's dashboard" >"$SUBS"
EVENTS="ipc://$WORK/events.sock"
joined() { sleep 0.7; }   # a SUB's join is not reported by PUB (as events.sh)
# watcher NAME [watch options...]: huizong watch in the background, json to $WORK/NAME.json
watcher() {
  local name=$1; shift
  "$HZ" watch "$EVENTS" --format json --timeout 8 "$@" >"$WORK/$name.json" 2>"$WORK/$name.err" &
  bg_track $!
  eval "PIDW_$name=$!"
}
key() { echo --key "$KEYS/${1}_secret" --server-key "$KEYS/server"; }
send() { collector submit "$WORK/spool-$1" --timeout 1000 --deadline 5 --key "$KEYS/dongxihu_secret" \
           --server-key "$KEYS/server" "$HZ_EXAMPLES/dongxihu-2024.csv"; }
FAIL_SHOW="*.json *.err"

# 1. CURVE subscribers.
start_aggregator --curve-secret "$KEYS/server_secret" --authorized "$AUTH" --events "$EVENTS" \
  --events-authorized "$SUBS"
grep -q "events over CURVE for 1 subscriber keys" "$AGG_LOG" || fail "no CURVE events log line"
watcher listed $(key watcher)
watcher nokey
watcher stranger $(key stranger)
watcher collector $(key dongxihu)
joined
send a >"$WORK/send-a.out" 2>&1 || fail "submit with the collector's key: $(cat "$WORK/send-a.out")"
for n in listed nokey stranger collector; do p="PIDW_$n"; wait "${!p}" || true; done
grep -q '"kind":"accepted","entity":"026"' "$WORK/listed.json" || fail "the listed subscriber got no accepted event"
grep -q '"submission_id":"[0-9a-f]\{32\}"' "$WORK/listed.json" || fail "the listed subscriber got no submission ids"
grep -q 'expense_total=3311220000' "$WORK/listed.json" || fail "the listed subscriber got no totals"
echo "ok: a listed key gets the full events ($(wc -l <"$WORK/listed.json") lines)"
for n in nokey stranger collector; do
  ! grep -q '"kind"' "$WORK/$n.json" || fail "subscriber '$n' received events: $(head -2 "$WORK/$n.json")"
done
grep -q "key not in the events subscribers' file" "$AGG_LOG" || fail "the refusal of an unlisted key is not logged"
echo "ok: no key, an unlisted key and a collector's key get nothing"
stop_aggregator

# 2. CURVE for submissions, no subscribers' list: a redacted feed for anyone.
start_aggregator --curve-secret "$KEYS/server_secret" --authorized "$AUTH" --events "$EVENTS"
grep -q "events without submission ids, amounts or reasons" "$AGG_LOG" || fail "no redacted-events log line"
watcher open
joined
bump_amounts 1 "$HZ_EXAMPLES/dongxihu-2024.csv" "$WORK/dxh2.csv"
collector submit "$WORK/spool-b" --timeout 1000 --deadline 5 --key "$KEYS/dongxihu_secret" \
  --server-key "$KEYS/server" "$WORK/dxh2.csv" >"$WORK/send-b.out" 2>&1 || fail "second submit: $(cat "$WORK/send-b.out")"
wait "$PIDW_open" || true
grep -q '"kind":"accepted","entity":"026"' "$WORK/open.json" || fail "the open feed lost the events themselves"
grep -q '"kind":"totals"' "$WORK/open.json" || fail "the open feed has no totals events"
! grep -q '"submission_id":"[0-9a-f]' "$WORK/open.json" || fail "the open feed carries submission ids"
! grep -q 'expense_total=\|facts=\|errors=' "$WORK/open.json" || fail "the open feed carries amounts or counts"
echo "ok: without --events-authorized the feed carries no ids, amounts or reasons"
echo "events_secure: all good"
