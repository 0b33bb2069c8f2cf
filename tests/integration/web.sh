#!/usr/bin/env bash
# huizong serve's API against a real aggregator holding the seeds: sessions (401), subtrees
# (403), CSRF on POST, login rate limit, the numbers, flags with their arithmetic, a 退回
# that reaches `huizong-collector status` and `huizong show`, and live events (SSE).
source "$(dirname "$0")/lib.sh.inc"
source "$(dirname "$0")/web.inc"
command -v curl >/dev/null || { echo "web: curl missing, skipped"; exit 77; }

# Without TLS a non-loopback address is refused (exit 2), unless --insecure.
rc=0; "$HZ" serve --db "$DB" --listen 0.0.0.0:0 --users "$USERS" >/dev/null 2>"$WORK/refuse.err" || rc=$?
[ "$rc" -eq 2 ] || fail "serve on 0.0.0.0 without TLS exited $rc, expected 2"
grep -q "TLS" "$WORK/refuse.err" || fail "refusal does not mention TLS: $(cat "$WORK/refuse.err")"

# With TLS it serves HTTPS there, and the session cookie is Secure.
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
    -subj "/CN=localhost" >/dev/null 2>&1 || fail "openssl could not make a test certificate"
  "$HZ" serve --db "$DB" --listen 0.0.0.0:0 --users "$USERS" --tls-cert "$WORK/cert.pem" \
    --tls-key "$WORK/key.pem" >"$WORK/tls.log" 2>&1 &
  TLS_PID=$!
  bg_track "$TLS_PID"
  wait_for 10 'grep -q "serving https://" "$WORK/tls.log"' || fail "TLS serve did not start: $(cat "$WORK/tls.log")"
  TLS_PORT=$(sed -n 's|.*serving https://[^ ]*:\([0-9]*\) on.*|\1|p' "$WORK/tls.log")
  curl -sk -c "$WORK/tls.jar" -d 'user=hubei&password=pw-hubei-00' "https://127.0.0.1:$TLS_PORT/api/login" |
    grep -q '"csrf"' || fail "login over https failed"
  awk '$6 == "hz_session" && $4 == "TRUE"' "$WORK/tls.jar" | grep -q . || fail "the https session cookie is not Secure"
  kill -TERM "$TLS_PID"; wait "$TLS_PID" || fail "TLS serve did not stop cleanly"
fi

# No session: 401 for the API, the login page for HTML.
expect_status 401 /dev/null "/api/tree?year=2024&entity=420112"
expect_status 200 /dev/null "/"
grep -q 'id="login-form"' "$WORK/body" || fail "/ without a session is not the login page"

# wh sees 420112 and below, nothing else.
J="$WORK/wh.jar"
CSRF=$(web_login wh pw-wh-420112 "$J")
[ -n "$CSRF" ] || fail "wh could not log in"
grep -q HttpOnly "$J" || grep -q '#HttpOnly_' "$J" || fail "session cookie is not HttpOnly"
expect_status 200 "$J" "/api/tree?year=2024&entity=420112"
grep -q '"code":"026"' "$WORK/body" || fail "420112's tree lacks 026"
for e in 341300 420000 420100 608; do
  for api in tree node flags submissions; do expect_status 403 "$J" "/api/$api?year=2024&entity=$e"; done
done
expect_status 403 "$J" "/api/export?year=2024&entity=420000&format=csv"
expect_status 200 "$J" "/api/node?year=2024&entity=026"
grep -q '"row":"expense_total","label":"支出总计","cells":{"amount":{"reported":"3311.22","declared":"3311.22"' "$WORK/body" ||
  fail "node 026 lacks 支出总计 3311.22 declared: $(head -c 400 "$WORK/body")"

# hubei: 湖北省 支出总计 3311.22 (exact decimal string), 宿州's flag with its arithmetic and line.
H="$WORK/hubei.jar"
HCSRF=$(web_login hubei pw-hubei-00 "$H")
expect_status 200 "$H" "/api/tree?year=2024&entity=420000"
grep -q '"name":"湖北省".*"expense_total":{"reported":"3311.22"' "$WORK/body" || fail "湖北省 支出总计 is not 3311.22"
expect_status 200 "$H" "/api/tree?year=2024&entity=026"
grep -q '"missing":\[[^]]*"code":"026-hczx"' "$WORK/body" || fail "026's tree does not list 026-hczx as 未报送"
expect_status 200 "$H" "/api/flags?year=2024&entity=340000&severity=error"
grep -q '"rule":"cross.project_funding_cover".*"expected":"0.00","actual":"1.43","difference":"1.43".*"source":"suzhou-2024.csv","line":245' \
  "$WORK/body" || fail "宿州's flag lacks its arithmetic or source line: $(head -c 600 "$WORK/body")"
expect_status 200 "$H" "/api/export?year=2024&entity=420000&format=csv"
grep -q "湖北省\|3311.22" "$WORK/body" || fail "the csv download lacks the figures"
expect_status 403 "$H" "/api/tree?year=2023&entity=510000"

# CSRF: a POST without the token, or with another session's token, is refused (403).
code=$(curl -s -b "$J" -o "$WORK/body" -w '%{http_code}' -d 'entity=026&year=2024&decision=return&reason=x' "$WEB/api/review")
[ "$code" = 403 ] || fail "POST /api/review without CSRF token: HTTP $code"
code=$(curl -s -b "$J" -H "X-CSRF-Token: $HCSRF" -o "$WORK/body" -w '%{http_code}' -d 'entity=026&year=2024&decision=return&reason=x' "$WEB/api/review")
[ "$code" = 403 ] || fail "POST /api/review with another session's token: HTTP $code"
# A viewer may not review; a reviewer may not review outside the subtree.
code=$(curl -s -b "$H" -H "X-CSRF-Token: $HCSRF" -o "$WORK/body" -w '%{http_code}' -d 'entity=026&year=2024&decision=approve' "$WEB/api/review")
[ "$code" = 403 ] || fail "a viewer's review: HTTP $code"
code=$(curl -s -b "$J" -H "X-CSRF-Token: $CSRF" -o "$WORK/body" -w '%{http_code}' -d 'entity=608&year=2024&decision=approve' "$WEB/api/review")
[ "$code" = 403 ] || fail "wh reviewing 608: HTTP $code"

# 退回 with a reason, through the aggregator; the department sees it with `status`.
REASON="项目支出表单位资金无来源，请补充"
code=$(curl -s -b "$J" -H "X-CSRF-Token: $CSRF" -o "$WORK/body" -w '%{http_code}' \
  --data-urlencode entity=026 --data-urlencode year=2024 --data-urlencode decision=return \
  --data-urlencode "reason=$REASON" "$WEB/api/review")
[ "$code" = 200 ] || fail "退回: HTTP $code $(cat "$WORK/body")"
code=$(curl -s -b "$J" -H "X-CSRF-Token: $CSRF" -o "$WORK/body" -w '%{http_code}' -d 'entity=026&year=2024&decision=return' "$WEB/api/review")
[ "$code" = 422 ] || fail "退回 without a reason: HTTP $code, expected 422"
"$COL" status --to "$ENDPOINT" --entity 026 --year 2024 >"$WORK/status.out"
grep -q "v1 退回 (returned) 理由: $REASON  审核人 wh" "$WORK/status.out" || fail "status: $(cat "$WORK/status.out")"
"$HZ" show --db "$DB" --entity 026 --year 2024 >"$WORK/show.out"
grep -q "v1 退回 — $REASON  (wh)" "$WORK/show.out" || fail "huizong show lacks the 退回"

# 已核实 on one of 026's flags, with a note: shown with the flag on the submissions page.
FLAG_ID="code.kind/soe_func/303/"
code=$(curl -s -b "$J" -H "X-CSRF-Token: $CSRF" -o "$WORK/body" -w '%{http_code}' --data-urlencode entity=026 \
  --data-urlencode year=2024 --data-urlencode decision=verify --data-urlencode "flag=$FLAG_ID" \
  --data-urlencode "reason=经济分类码印在功能分类表，已与部门核对" "$WEB/api/review")
[ "$code" = 200 ] || fail "已核实: HTTP $code $(cat "$WORK/body")"
expect_status 200 "$J" "/api/submissions?year=2024&entity=026"
grep -q "\"id\":\"$FLAG_ID\",\"verified\":{\"note\":\"经济分类码印在功能分类表，已与部门核对\",\"reviewer\":\"wh\"" "$WORK/body" ||
  fail "the flag is not shown 已核实: $(grep -o '"id":"code.kind[^}]*}' "$WORK/body" | head -3)"

# Live: an SSE stream sees the resubmission; then 通过 on v2, and the history reads in order.
curl -s -N -b "$J" "$WEB/api/events?for=20" >"$WORK/sse.out" &
SSE_PID=$!
bg_track "$SSE_PID"
wait_for 10 'grep -q "^event: hello" "$WORK/sse.out"' || fail "no hello on /api/events"
wait_for 10 'grep -q "event stream opened for wh" "$WORK/serve.log"' || fail "stream not opened"
bump_amounts 1 "$HZ_EXAMPLES/dongxihu-2024.csv" "$WORK/dongxihu-v2.csv"
submit "$WORK/dongxihu-v2.csv" >"$WORK/submit2.out" 2>&1 || true
grep -q "026 2024 .* ACCEPTED v2" "$WORK/submit2.out" || fail "resubmission: $(cat "$WORK/submit2.out")"
grep -q "026 2024 v1 曾被退回 (理由: $REASON, 审核人 wh), 已由 v2 替代" "$WORK/submit2.out" ||
  fail "submit does not say the returned v1 is superseded: $(cat "$WORK/submit2.out")"
wait_for 10 'grep -q "\"kind\":\"accepted\",\"entity\":\"026\",\"year\":2024,\"version\":2" "$WORK/sse.out"' ||
  fail "SSE did not carry the accepted v2: $(cat "$WORK/sse.out")"
grep -q '"entity":"420000"' "$WORK/sse.out" && fail "wh's stream carried an event of 420000 (outside 420112)"
"$COL" status --to "$ENDPOINT" --entity 026 --year 2024 >"$WORK/status.out"
grep -q "v2 待审核 (pending)" "$WORK/status.out" || fail "v2 is not pending: $(cat "$WORK/status.out")"
code=$(curl -s -b "$J" -H "X-CSRF-Token: $CSRF" -o "$WORK/body" -w '%{http_code}' -d 'entity=026&year=2024&version=2&decision=approve' "$WEB/api/review")
[ "$code" = 200 ] || fail "通过: HTTP $code $(cat "$WORK/body")"
"$COL" status --to "$ENDPOINT" --entity 026 --year 2024 >"$WORK/status.out"
grep -q "v2 通过 (approved)" "$WORK/status.out" || fail "v2 is not 通过: $(cat "$WORK/status.out")"
expect_status 200 "$J" "/api/submissions?year=2024&entity=026&a=1&b=2"
grep -o '"label":"[^"]*","version":[0-9]' "$WORK/body" | tr '\n' ' ' >"$WORK/history"
grep -q '"label":"报送","version":1 "label":"退回","version":1 "label":"已核实","version":1 "label":"重新报送","version":2 "label":"通过","version":2' "$WORK/history" ||
  fail "history: $(cat "$WORK/history")"
grep -q '"diff":{"a":1,"b":2,"changes":\[' "$WORK/body" || fail "no diff between v1 and v2"
grep -q '"label":"支出总计","column":"amount","column_label":"金额","a":"3311.22","b":"3311.220001","difference":"0.000001"' "$WORK/body" || fail "diff lacks 支出总计 3311.22 → 3311.220001"

# Rate limit: after 5 wrong passwords for wh, even the right one is refused (429).
for i in 1 2 3 4 5; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -d 'user=wh&password=wrong' "$WEB/api/login")
  [ "$code" = 401 ] || fail "wrong password $i: HTTP $code"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -d 'user=wh&password=wrong' "$WEB/api/login")
[ "$code" = 429 ] || fail "6th wrong password: HTTP $code, expected 429"
code=$(curl -s -o /dev/null -w '%{http_code}' -d 'user=wh&password=pw-wh-420112' "$WEB/api/login")
[ "$code" = 429 ] || fail "right password while limited: HTTP $code, expected 429"

# Logout ends the session.
code=$(curl -s -b "$H" -H "X-CSRF-Token: $HCSRF" -o /dev/null -w '%{http_code}' -X POST "$WEB/api/logout")
[ "$code" = 200 ] || fail "logout: HTTP $code"
expect_status 401 "$H" "/api/tree?year=2024&entity=420000"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" || fail "huizong serve did not stop cleanly"
echo "web: all good"
