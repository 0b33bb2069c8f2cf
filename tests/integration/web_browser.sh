#!/usr/bin/env bash
# huizong serve in a real browser: headless Debian chromium loads the pages (a one-time
# login link opens the session, as a second browser of a logged-in user would), and the
# DOM it built from the API is checked: 湖北省 支出总计 3311.22, an unreported unit marked
# 未报送, a flag with its arithmetic and source line, a 退回 clicked in the page (DevTools
# protocol, cdp.py) reaching `huizong-collector status`, and a submission made while the page is open
# appearing without a reload (server-sent events). HZ_SCREENSHOTS=DIR also saves the pages.
source "$(dirname "$0")/lib.sh.inc"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "web_browser: chromium missing, skipped"; exit 77; }
source "$(dirname "$0")/web.inc"
FAIL_SHOW="serve.log chromium.err"

J="$WORK/wh.jar"
CSRF=$(web_login wh pw-wh-420112 "$J")
H="$WORK/hubei.jar"
HCSRF=$(web_login hubei pw-hubei-00 "$H")
[ -n "$CSRF" ] && [ -n "$HCSRF" ] || fail "login failed"

# login_link JAR TOKEN: a one-time /login?token=... of that session.
login_link() {
  curl -s -b "$1" -H "X-CSRF-Token: $2" -X POST "$WEB/api/login-link" | sed -n 's/.*"url":"\([^"]*\)".*/\1/p'
}
# browse JAR TOKEN HASH OUT [BUDGET_MS] [SCREENSHOT]: the DOM of /#HASH after BUDGET_MS of
# virtual time. Event streams of 1 s (sse_for=1) let virtual time advance between them.
browse() {
  local link out=$4 budget=${5:-4000} shot=${6:-} next profile
  link=$(login_link "$1" "$2")
  [ -n "$link" ] || fail "no login link"
  next=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "/#$3&sse_for=1")
  profile=$(mktemp -d "$WORK/profile.XXXXXX")
  local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
               --disable-background-networking --disable-component-update --disable-sync
               --user-data-dir="$profile" --window-size=1400,1000 --virtual-time-budget="$budget")
  timeout 120 "$CHROMIUM" "${flags[@]}" --dump-dom "$WEB$link&next=$next" >"$out" 2>>"$WORK/chromium.err" ||
    fail "chromium failed on $3"
  if [ -n "$shot" ] && [ -n "${HZ_SCREENSHOTS:-}" ]; then
    link=$(login_link "$1" "$2")
    profile=$(mktemp -d "$WORK/profile.XXXXXX")
    flags[8]="--user-data-dir=$profile"
    flags[10]="--virtual-time-budget=$(( budget > 10000 ? budget : 10000 ))"   # fonts load late
    timeout 120 "$CHROMIUM" "${flags[@]}" --screenshot="$HZ_SCREENSHOTS/$shot" "$WEB$link&next=$next" \
      >/dev/null 2>>"$WORK/chromium.err" || fail "screenshot $shot failed"
  fi
}

# 汇总树 of 湖北省: 支出总计 3311.22 as 报送数 and 汇总数.
browse "$H" "$HCSRF" "/tree?year=2024&entity=420000" "$WORK/tree.html" 4000 tree.png
grep -q '<h2 id="node-title">湖北省' "$WORK/tree.html" || fail "tree page lacks 湖北省: $(head -c 500 "$WORK/tree.html")"
grep -q '<tr id="node-expense"><th>支出总计</th><td class="amt">3311.22</td><td class="amt">—</td><td class="amt">3311.22</td>' \
  "$WORK/tree.html" || fail "湖北省 支出总计 is not 3311.22 on the page"

# 东西湖区医疗保障局: two of its three units never submitted, marked 未报送.
browse "$H" "$HCSRF" "/tree?year=2024&entity=026" "$WORK/dept.html" 4000 department.png
grep -q '<tr class="unreported" data-code="026-hczx">.*<span class="badge missing">未报送</span>' "$WORK/dept.html" ||
  fail "026-hczx is not marked 未报送"
grep -q 'id="missing">未报送: .*武汉市东西湖区医疗保障基金核查中心' "$WORK/dept.html" || fail "no 未报送 list"

# 问题清单 of 安徽省: 宿州's 单位资金 flag with its arithmetic and source line.
browse "$H" "$HCSRF" "/flags?year=2024&entity=340000&severity=error" "$WORK/flags.html" 4000 flags.png
grep -q '应为 0.00 实为 1.43 差 1.43' "$WORK/flags.html" || fail "the flag's arithmetic is not shown"
grep -q 'suzhou-2024.csv:245' "$WORK/flags.html" || fail "the flag's source line is not shown"
grep -q '项目支出表 单位资金：合计 1.43 &gt; 0.00 → 不一致' "$WORK/flags.html" || fail "the flag's explanation is not shown"

# The node's tables: declared and computed side by side.
browse "$H" "$HCSRF" "/node?year=2024&entity=026" "$WORK/node.html" 4000 node.png
grep -q '部门收支总表' "$WORK/node.html" || fail "node page lacks 部门收支总表"

# 退回 clicked in the page: Chromium under the DevTools protocol (tests/integration/cdp.py),
# the reviewer fills the review form of the submissions page and submits it; the decision
# goes through serve to the aggregator and reaches the department's `status`.
REASON="请补充项目支出表单位资金的来源"
profile=$(mktemp -d "$WORK/profile.XXXXXX")
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --remote-debugging-port=0 about:blank 2>"$WORK/cdp-chromium.err" &
CDP_CHROMIUM=$!
bg_track "$CDP_CHROMIUM"
wait_for 30 'grep -q "DevTools listening on ws://" "$WORK/cdp-chromium.err"' || fail "chromium opened no DevTools port"
CDP_PORT=$(sed -n 's|.*DevTools listening on ws://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/cdp-chromium.err" | head -n 1)
PAGE_WS=$(curl -s "http://127.0.0.1:$CDP_PORT/json/list" | python3 -c '
import json, sys
print(next(t["webSocketDebuggerUrl"] for t in json.load(sys.stdin) if t["type"] == "page"))')
[ -n "$PAGE_WS" ] || fail "no page target on the DevTools port"
LINK=$(login_link "$J" "$CSRF")
cat >"$WORK/review.cdp" <<CDP
goto $WEB$LINK&next=%2F%23%2Fsubs%3Fyear%3D2024%26entity%3D026
wait document.getElementById('review-form') !== null 20
eval (() => { const f = document.getElementById('review-form'); f.decision.value = 'return'; f.reason.value = '$REASON'; f.querySelector('button').click(); return 'clicked'; })()
wait document.querySelector('#versions .badge.returned') !== null 20
eval document.querySelector('#versions').innerText
CDP
python3 "$(dirname "$0")/cdp.py" "$PAGE_WS" "$WORK/review.cdp" >"$WORK/cdp.out" 2>&1 || fail "clicking 退回: $(cat "$WORK/cdp.out")"
grep -q "退回 $REASON" "$WORK/cdp.out" || fail "the page does not show its 退回: $(cat "$WORK/cdp.out")"
kill "$CDP_CHROMIUM"; wait "$CDP_CHROMIUM" 2>/dev/null || true
"$COL" status --to "$ENDPOINT" --entity 026 --year 2024 >"$WORK/status.out"
grep -q "v1 退回 (returned) 理由: $REASON  审核人 wh" "$WORK/status.out" || fail "status: $(cat "$WORK/status.out")"
browse "$J" "$CSRF" "/subs?year=2024&entity=026" "$WORK/subs.html" 4000
grep -q "<span class=\"badge returned\">退回</span> $REASON" "$WORK/subs.html" || fail "the page does not show the 退回"
grep -q 'id="review-form"' "$WORK/subs.html" || fail "a reviewer sees no review form"

# Live: the submissions page is open while 026 resubmits; without a reload it shows v2.
streams() { grep -c "event stream opened for wh" "$WORK/serve.log" || true; }
before=$(streams)
browse "$J" "$CSRF" "/subs?year=2024&entity=026" "$WORK/live.html" 30000 submissions.png &
BROWSER=$!
bg_track "$BROWSER"
wait_for 30 '[ "$(streams)" -gt "$before" ]' || fail "the page opened no event stream"
bump_amounts 1 "$HZ_EXAMPLES/dongxihu-2024.csv" "$WORK/dongxihu-v2.csv"
submit "$WORK/dongxihu-v2.csv" >"$WORK/submit2.out" 2>&1 || true
grep -q "026 2024 .* ACCEPTED v2" "$WORK/submit2.out" || fail "resubmission: $(cat "$WORK/submit2.out")"
wait "$BROWSER" || fail "the live browser run failed"
grep -q '<td>v2 (当前)</td>' "$WORK/live.html" || fail "v2 did not appear without a reload"
grep -q '新报送 (2024): .*026 v2' "$WORK/live.html" || fail "no live notice of the new submission"
grep -q '<td>v1</td>.*<span class="badge returned">退回</span>' "$WORK/live.html" || fail "v1's 退回 is gone"
echo "web_browser: all good"
