// app.js -- the pages of huizong serve, built only from the JSON API under /api/ (docs/web.md).
// Plain JS, no framework. Amounts arrive as exact decimal strings (万元 from int64 fen) and are
// shown as they come: nothing here does arithmetic on money.
'use strict';

const state = { me: null, year: 0, route: 'tree', params: {}, es: null, refetchTimer: 0 };
const $ = (id) => document.getElementById(id);
const SEV = { error: '错误', warning: '警告', info: '提示' };
const RECENT_MAX = 6;   // new submissions named in the live notice
const DECISION = { approved: '通过', returned: '退回', pending: '待审核' };

function esc(s) {
  return String(s == null ? '' : s).replace(/[&<>"']/g, (c) =>
    ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
function amt(a) { return a == null ? '—' : esc(a); }
function link(route, params, text, cls) {
  const q = new URLSearchParams(Object.assign({ year: state.year }, params)).toString();
  return `<a href="#/${route}?${q}"${cls ? ` class="${cls}"` : ''}>${text}</a>`;
}

async function api(path, opts) {
  const r = await fetch(path, Object.assign({ credentials: 'same-origin' }, opts || {}));
  if (r.status === 401) { location.href = '/login'; throw new Error('未登录'); }
  const j = await r.json().catch(() => ({ error: '服务器返回了非 JSON 内容' }));
  if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
  return j;
}
async function post(path, fields) {
  return api(path, { method: 'POST', body: new URLSearchParams(fields),
                     headers: { 'X-CSRF-Token': state.me.csrf } });
}

function parseRoute() {
  const h = location.hash.replace(/^#\/?/, '');
  const [route, q] = h.split('?');
  state.route = route || 'tree';
  state.params = Object.fromEntries(new URLSearchParams(q || ''));
  if (state.params.year) state.year = Number(state.params.year);
}
function entity() { return state.params.entity || (state.me.subtrees[0] || ''); }

function notice(text) {
  const n = $('notice');
  n.textContent = text;
  n.hidden = !text;
}

// ---- 汇总树 ------------------------------------------------------------------------------
function figureCells(f) {
  const differs = f.declared != null && f.computed != null && f.declared !== f.computed;
  return `<td class="amt">${amt(f.reported)}</td><td class="amt">${amt(f.declared)}</td>` +
         `<td class="amt${differs ? ' diff' : ''}">${amt(f.computed)}</td>`;
}
function status(n) {
  if (n.level === 'unit') return n.submitted ? '<span class="badge in">已报送</span>'
                                             : '<span class="badge missing">未报送</span>';
  if (n.submitted) return '<span class="badge declared">已申报</span>';
  return n.included ? '<span class="badge in">已汇总</span>' : '<span class="badge missing">未报送</span>';
}
function flagCounts(f, n) {
  const q = { entity: n.code };
  return `<td>${f.errors ? link('flags', Object.assign({ severity: 'error' }, q), `<span class="sev-error">${f.errors}</span>`) : 0}</td>` +
         `<td>${f.warnings ? link('flags', Object.assign({ severity: 'warning' }, q), `<span class="sev-warning">${f.warnings}</span>`) : 0}</td>`;
}
function netLine(net) {
  if (!net) return '';
  let s = '';
  if (net.expense_internal && net.expense_internal !== '0.00')
    s += `<div>合并抵销 支出: 总额 ${amt(net.expense_gross)} − 对附属单位补助支出 ${amt(net.expense_internal)} = 净额 <b>${amt(net.expense_net)}</b></div>`;
  if (net.income_internal && net.income_internal !== '0.00')
    s += `<div>合并抵销 收入: 总额 ${amt(net.income_gross)} − 上级补助收入 ${amt(net.income_internal)} = 净额 <b>${amt(net.income_net)}</b></div>`;
  return s;
}
async function viewTree() {
  const t = await api(`/api/tree?year=${state.year}&entity=${encodeURIComponent(entity())}`);
  const n = t.node;
  // ancestors above the user's own subtrees are named but not linked (they would be 403)
  const mine = state.me.anonymous ? 0 : t.path.findIndex((p) => state.me.subtrees.includes(p.code));
  const crumbs = t.path.map((p, i) => (i < mine ? esc(p.name) : link('tree', { entity: p.code }, esc(p.name)))).join(' › ');
  let h = '';
  if (state.me.subtrees.length > 1)
    h += `<div class="crumbs">我的范围: ${state.me.subtrees.map((c) => link('tree', { entity: c }, esc(c))).join(' · ')}</div>`;
  h += `<div class="crumbs">${crumbs}</div>`;
  h += `<h2 id="node-title">${esc(n.name)} <small class="id">${esc(n.code)} · ${esc(n.level_label)} · ${state.year} 年</small> ${status(n)}</h2>`;
  h += `<div class="card"><table class="figs" id="node-figures"><tr><th></th><th>报送数</th><th>申报数</th><th>汇总数</th></tr>`;
  h += `<tr><th>收入总计</th>${figureCells(n.income_total)}</tr>`;
  h += `<tr id="node-expense"><th>支出总计</th>${figureCells(n.expense_total)}</tr></table>`;
  h += netLine(n.net);
  h += `<div>下级报送 <b id="node-in">${n.children_submitted}</b>/${n.children_total}` +
       (n.units_total ? ` · 单位 ${n.units_submitted}/${n.units_total} 已报送` : '') +
       ` · 本级问题: 错误 ${n.flags.errors} 警告 ${n.flags.warnings} · 含下级: 错误 ${n.subtree_flags.errors} 警告 ${n.subtree_flags.warnings}</div>`;
  if (n.missing.length)
    h += `<div class="missing-list" id="missing">未报送: ${n.missing.map((m) => `${esc(m.name)} <small class="id">${esc(m.code)}</small>`).join('、')}</div>`;
  h += `<div>${link('node', { entity: n.code }, '查看报表')} · ${link('flags', { entity: n.code }, '问题清单')} · ` +
       `${link('subs', { entity: n.code }, '报送记录与审核')} · 下载 ` +
       `<a href="/api/export?year=${state.year}&entity=${encodeURIComponent(n.code)}&format=xlsx">Excel</a> ` +
       `<a href="/api/export?year=${state.year}&entity=${encodeURIComponent(n.code)}&format=csv">CSV</a></div></div>`;
  if (t.children.length) {
    h += `<table id="children"><tr><th>名称</th><th>层级</th><th>状态</th><th>支出总计 报送数</th><th>申报数</th><th>汇总数</th>` +
         `<th>下级报送</th><th>错误</th><th>警告</th><th></th></tr>`;
    for (const c of t.children) {
      h += `<tr class="${c.included ? 'reported' : 'unreported'}" data-code="${esc(c.code)}">` +
           `<td>${link('tree', { entity: c.code }, esc(c.name))} <small class="id">${esc(c.code)}</small></td>` +
           `<td>${esc(c.level_label)}</td><td>${status(c)}</td>${figureCells(c.expense_total)}` +
           `<td>${c.children_total ? `${c.children_submitted}/${c.children_total}` : ''}</td>${flagCounts(c.subtree_flags, c)}` +
           `<td>${link('node', { entity: c.code }, '报表')} ${link('subs', { entity: c.code }, '报送')}</td></tr>`;
    }
    h += '</table>';
  }
  return h;
}

// ---- a node's tables --------------------------------------------------------------------
async function viewNode() {
  const d = await api(`/api/node?year=${state.year}&entity=${encodeURIComponent(entity())}`);
  const mode = state.params.mode || 'both';
  const modes = { both: '申报数与汇总数对照', reported: '报送数', declared: '申报数', computed: '汇总数' };
  let h = `<h2>${esc(d.name)} <small class="id">${esc(d.code)} · ${esc(d.level_label)} · ${d.year} 年</small></h2>`;
  h += `<div class="filters">显示: ` + Object.keys(modes).map((m) =>
    m === mode ? `<b>${modes[m]}</b>` : link('node', { entity: d.code, mode: m }, modes[m])).join(' · ') +
    ` · ${link('tree', { entity: d.code }, '返回汇总树')}</div>`;
  h += `<div class="card">${netLine(d.net) || '（单位本级，无内部往来抵销）'}</div>`;
  if (!d.tables.length) h += '<p>本年度没有数据。</p>';
  for (const t of d.tables) {
    const cols = t.columns.filter((c) => t.rows.some((r) => r.cells[c.column]));
    h += `<h3>${esc(t.label)} <small class="id">${esc(t.table)}</small></h3><table class="tbl"><tr><th>项目</th>`;
    for (const c of cols) h += `<th>${esc(c.label)}<br><small class="id">${esc(c.column)}</small></th>`;
    h += '</tr>';
    for (const r of t.rows) {
      h += `<tr><td>${esc(r.label)} <small class="id">${esc(r.row)}</small></td>`;
      for (const c of cols) {
        const v = r.cells[c.column];
        if (!v) { h += '<td></td>'; continue; }
        if (mode === 'both') {
          const differs = v.difference != null;
          h += `<td class="amt${differs ? ' diff' : ''}" title="报送数 ${esc(v.reported)}">` +
               (v.declared != null && v.computed != null
                 ? `${amt(v.declared)} <small>申报</small><br>${amt(v.computed)} <small>汇总</small>` +
                   (differs ? `<br><small>差额 ${amt(v.difference)}</small>` : '')
                 : `${amt(v.reported)} <small>${v.declared != null ? '申报' : '汇总'}</small>`) + '</td>';
        } else {
          h += `<td class="amt">${amt(v[mode])}</td>`;
        }
      }
      h += '</tr>';
    }
    h += '</table>';
  }
  return h;
}

// ---- 问题清单 ------------------------------------------------------------------------------
function flagRow(f, verify) {
  const arith = (f.verdict === 'MISMATCH' || f.verdict === 'ROUNDING')
    ? `应为 ${amt(f.expected)} 实为 ${amt(f.actual)} 差 ${amt(f.difference)}` : '';
  return `<tr class="flag"><td class="sev-${f.severity}">${SEV[f.severity] || esc(f.severity)}</td>` +
         `<td>${esc(f.entity_name)} <small class="id">${esc(f.entity)}</small></td>` +
         `<td>${esc(f.table_label)} ${esc(f.row)} ${esc(f.column_label)}<br><small class="id">${esc(f.rule)} · ${esc(f.verdict)}</small></td>` +
         `<td class="explain">${esc(f.explanation)}</td><td class="amt">${arith}</td>` +
         `<td>${f.line ? `${esc(f.source)}:${f.line}` : ''}</td>` +
         (verify ? `<td>${f.verified ? `<span class="badge approved">已核实</span> ${esc(f.verified.note)} <small>${esc(f.verified.reviewer)} ${esc(f.verified.time)}</small>`
                                     : (state.me.role === 'reviewer' ? `<button type="button" class="verify" data-flag="${esc(f.id)}">标记已核实</button>` : '')}</td>` : '') +
         '</tr>';
}
function flagTable(flags, verify) {
  if (!flags.length) return '<p>没有问题。</p>';
  return `<table id="flags"><tr><th>严重程度</th><th>单位</th><th>位置 / 规则</th><th>说明</th><th>核算</th><th>来源</th>${verify ? '<th>核实</th>' : ''}</tr>` +
         flags.map((f) => flagRow(f, verify)).join('') + '</table>';
}
async function viewFlags() {
  const p = state.params;
  const q = new URLSearchParams({ year: state.year, entity: entity(), severity: p.severity || '', rule: p.rule || '' });
  const d = await api('/api/flags?' + q);
  let h = `<h2>问题清单 <small class="id">${esc(entity())} 及下级 · ${state.year} 年 · ${d.flags.length} 条</small></h2>`;
  h += `<form class="filters" id="flag-filter"><label>范围 (代码) <input name="entity" value="${esc(entity())}"></label>` +
       `<label>严重程度 <select name="severity"><option value="">全部</option>` +
       Object.keys(SEV).map((s) => `<option value="${s}"${p.severity === s ? ' selected' : ''}>${SEV[s]}</option>`).join('') +
       `</select></label><label>规则 <input name="rule" value="${esc(p.rule || '')}" placeholder="如 level."></label>` +
       `<button>筛选</button> 下载 <a href="/api/export?year=${state.year}&entity=${encodeURIComponent(entity())}&format=xlsx">Excel</a></form>`;
  return h + flagTable(d.flags);
}

// ---- a unit's submissions and review ------------------------------------------------------
async function viewSubs() {
  const p = state.params;
  const q = new URLSearchParams({ year: state.year, entity: entity() });
  if (p.a && p.b) { q.set('a', p.a); q.set('b', p.b); }
  const d = await api('/api/submissions?' + q);
  let h = `<h2>报送记录 · ${esc(d.name)} <small class="id">${esc(d.code)} · ${esc(d.level_label)} · ${d.year} 年</small></h2>`;
  if (!d.versions.length) return h + '<p><span class="badge missing">未报送</span> 本年度没有报送。</p>';
  h += `<table id="versions"><tr><th>版本</th><th>接收时间</th><th>标识 (submission id)</th><th>条数</th><th>来源文件</th><th>审核</th></tr>`;
  for (const v of d.versions) {
    const rv = v.review || { state: 'pending' };
    h += `<tr><td>v${v.version}${v.current ? ' (当前)' : ''}</td><td>${esc(v.received)}</td><td><small class="id">${esc(v.submission_id)}</small></td>` +
         `<td>${v.facts}</td><td>${esc(v.source)}</td><td><span class="badge ${esc(rv.state)}">${DECISION[rv.state] || esc(rv.state)}</span>` +
         (rv.reason ? ` ${esc(rv.reason)}` : '') + (rv.reviewer ? ` <small>${esc(rv.reviewer)} ${esc(rv.time || '')}</small>` : '') + '</td></tr>';
  }
  h += '</table>';
  if (d.history && d.history.length) {
    h += `<h3>审核历史</h3><ol id="history">` + d.history.map((e) =>
      `<li>${esc(e.time)} v${e.version} <b>${esc(e.label)}</b>${e.reason ? ' — ' + esc(e.reason) : ''}${e.reviewer ? ` <small>${esc(e.reviewer)}</small>` : ''}</li>`).join('') + '</ol>';
  }
  const cur = d.versions[d.versions.length - 1].version;
  if (state.me.role === 'reviewer') {
    h += `<h3>审核</h3><form id="review-form" class="filters"><label>版本 <select name="version">` +
         d.versions.map((v) => `<option${v.version === cur ? ' selected' : ''}>${v.version}</option>`).join('') +
         `</select></label><label>决定 <select name="decision"><option value="approve">通过</option><option value="return">退回</option></select></label>` +
         `<label>理由 <input name="reason" size="40" placeholder="退回须写明理由"></label><button>提交审核</button> <span id="review-result"></span></form>`;
  }
  if (d.versions.length > 1) {
    const a = p.a || d.versions[d.versions.length - 2].version, b = p.b || cur;
    h += `<h3>版本比较</h3><form id="diff-form" class="filters"><label>从 <input name="a" size="3" value="${esc(a)}"></label>` +
         `<label>到 <input name="b" size="3" value="${esc(b)}"></label><button>比较</button></form>`;
    if (d.diff) {
      h += d.diff.changes.length ? `<table id="diff"><tr><th>表</th><th>项目</th><th>栏目</th><th>v${d.diff.a}</th><th>v${d.diff.b}</th><th>差额</th></tr>` +
        d.diff.changes.map((c) => `<tr><td>${esc(c.table_label)}</td><td>${esc(c.label)} <small class="id">${esc(c.row)}</small></td>` +
          `<td>${esc(c.column_label)}</td><td class="amt">${amt(c.a)}</td><td class="amt">${amt(c.b)}</td><td class="amt diff">${amt(c.difference)}</td></tr>`).join('') + '</table>'
        : '<p>两个版本的数字完全相同。</p>';
    }
  }
  h += `<h3>当前问题</h3>` + flagTable(d.flags, true);
  return h;
}

// ---- shell ------------------------------------------------------------------------------
const VIEWS = { tree: viewTree, node: viewNode, flags: viewFlags, subs: viewSubs };

async function render() {
  parseRoute();
  for (const r of Object.keys(VIEWS)) $('nav-' + r).classList.toggle('active', r === state.route);
  for (const r of Object.keys(VIEWS)) $('nav-' + r).href = `#/${r}?year=${state.year}&entity=${encodeURIComponent(entity())}`;
  $('year').value = String(state.year);
  const view = VIEWS[state.route] || viewTree;
  try {
    $('view').innerHTML = await view();
    document.body.dataset.rendered = String(Date.now());
  } catch (e) {
    $('view').innerHTML = `<p class="error" id="view-error">${esc(e.message)}</p>`;
  }
  bindForms();
}

function go(route, params) {
  location.hash = `#/${route}?` + new URLSearchParams(Object.assign({ year: state.year }, params));
}

function bindForms() {
  const ff = $('flag-filter');
  if (ff) ff.addEventListener('submit', (ev) => { ev.preventDefault(); go('flags', Object.fromEntries(new FormData(ff))); });
  const df = $('diff-form');
  if (df) df.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go('subs', Object.assign({ entity: entity() }, Object.fromEntries(new FormData(df))));
  });
  const rf = $('review-form');
  if (rf) rf.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = Object.fromEntries(new FormData(rf));
    if (f.decision === 'return' && !f.reason.trim()) { $('review-result').textContent = '退回须写明理由'; return; }
    try {
      const r = await post('/api/review', Object.assign({ entity: entity(), year: state.year }, f));
      $('review-result').textContent = r.message || '已保存';
      scheduleRefetch(0);
    } catch (e) { $('review-result').textContent = e.message; }
  });
}

document.addEventListener('click', async (ev) => {
  const b = ev.target.closest('button.verify');
  if (!b) return;
  const note = prompt('核实说明 (已核实)');
  if (note == null) return;
  try {
    await post('/api/review', { entity: entity(), year: state.year, decision: 'verify', flag: b.dataset.flag, reason: note });
    scheduleRefetch(0);
  } catch (e) { notice(e.message); }
});

function scheduleRefetch(ms) {
  clearTimeout(state.refetchTimer);
  state.refetchTimer = setTimeout(render, ms);
}

// Live: the aggregator's events as server-sent events. Any event may change what is shown,
// so the current view is fetched again (debounced); a gap means events were lost: refetch.
function live() {
  // ?sse_for=N in the page's address: streams of N seconds (headless tests: a stream that
  // never ends would hold a virtual-time budget forever)
  const span = state.params.sse_for ? '?for=' + encodeURIComponent(state.params.sse_for) : '';
  const es = new EventSource('/api/events' + span);
  state.es = es;
  es.addEventListener('hello', () => { $('live').className = 'live on'; });
  for (const k of ['accepted', 'rejected', 'flags', 'totals', 'review']) {
    es.addEventListener(k, (ev) => {
      const d = JSON.parse(ev.data);
      if (k === 'accepted') {
        state.recent = (state.recent || []).concat(`${d.entity} v${d.version}`).slice(-RECENT_MAX);
        notice(`新报送 (${d.year}): ${state.recent.join('、')}`);
      }
      scheduleRefetch(300);
    });
  }
  es.addEventListener('gap', () => { notice('实时事件有缺口，已重新读取数据'); scheduleRefetch(0); });
  es.onerror = () => { $('live').className = 'live off'; };
}

async function main() {
  state.me = await api('/api/me');
  $('who').textContent = state.me.anonymous ? '本机访问' :
    `${state.me.user} (${state.me.role === 'reviewer' ? '审核人' : '查看人'})`;
  $('logout').hidden = state.me.anonymous;
  $('logout').addEventListener('click', async () => { await post('/api/logout', {}); location.href = '/login'; });
  parseRoute();
  const years = (await api(`/api/years?entity=${encodeURIComponent(entity())}`)).years;
  if (!state.year) state.year = years[0] || new Date().getFullYear();
  $('year').innerHTML = (years.length ? years : [state.year]).map((y) => `<option>${y}</option>`).join('');
  $('year').addEventListener('change', () => go(state.route, { entity: entity(), year: $('year').value }));
  window.addEventListener('hashchange', render);
  await render();
  live();
}

main().catch((e) => { $('view').textContent = e.message; });
