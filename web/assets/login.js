// login.js -- the login form: POST /api/login (form-encoded), then to the page asked for.
'use strict';
document.getElementById('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = new URLSearchParams(new FormData(ev.target));
  const out = document.getElementById('login-error');
  out.textContent = '';
  try {
    const r = await fetch('/api/login', { method: 'POST', body, credentials: 'same-origin' });
    const j = await r.json();
    if (!r.ok) { out.textContent = j.error || ('登录失败 ' + r.status); return; }
    location.href = location.pathname === '/login' ? '/' : location.href;
  } catch (e) {
    out.textContent = '无法连接服务器';
  }
});
