// The console's entry point: login when auth is on, then the views (Keys, Search, Watch, Leases, Cluster, Auth,
// Metrics).
import { call, setToken, ApiError } from './api.js';
import { $, show, message } from './dom.js';
import { KeysView } from './keys.js';
import { SearchView } from './search.js';
import { WatchView } from './watch.js';
import { LeasesView } from './leases.js';
import { ClusterView } from './cluster.js';
import { AuthView } from './auth.js';
import { MetricsView } from './metrics.js';

const views = {};
let current = null;
let started = false;

function showView(name) {
  message('');
  for (const b of document.querySelectorAll('#nav button')) b.classList.toggle('active', b.dataset.view === name);
  for (const s of document.querySelectorAll('section.view')) show(s, s.id === 'view-' + name);
  if (current && current !== views[name] && current.leave) current.leave();
  current = views[name];
  if (current.enter) current.enter();
}

/** Any call that finds the token missing or expired lands here: back to the login form. */
export function handleError(e) {
  if (e instanceof ApiError && e.needsLogin) {
    setToken(null);
    requireLogin('Your session has ended; log in again.');
    return;
  }
  message(e.message || String(e), true);
}

function requireLogin(why) {
  for (const s of document.querySelectorAll('section.view')) show(s, false);
  show($('nav'), false);
  show($('login'), true);
  $('login-error').hidden = !why;
  $('login-error').textContent = why || '';
  $('login-user').focus();
}

async function login(ev) {
  ev.preventDefault();
  const name = $('login-user').value;
  try {
    const r = await call('/v3/auth/authenticate', { name, password: $('login-password').value });
    setToken(r.token);
    $('login-password').value = '';
    $('who').textContent = name;
    show($('logout'), true);
    start();
  } catch (e) {
    $('login-error').textContent = e.message;
    show($('login-error'), true);
  }
}

function start() {
  show($('login'), false);
  show($('nav'), true);
  message('');
  if (!started) {
    started = true;
    const ctx = { onError: handleError, open: (name, arg) => { showView(name); if (arg !== undefined) views[name].open(arg); } };
    views.keys = new KeysView(ctx);
    views.search = new SearchView(ctx);
    views.watch = new WatchView(ctx);
    views.leases = new LeasesView(ctx);
    views.cluster = new ClusterView(ctx);
    views.auth = new AuthView(ctx);
    views.metrics = new MetricsView(ctx);
    for (const b of document.querySelectorAll('#nav button')) b.addEventListener('click', () => showView(b.dataset.view));
  }
  showView(current ? Object.keys(views).find((k) => views[k] === current) : 'keys');
}

async function boot() {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', () => {
    setToken(null);
    $('who').textContent = '';
    show($('logout'), false);
    if (current && current.leave) current.leave();
    requireLogin('');
  });
  try {
    const me = await call('/ui/api/v1/whoami', {});
    if (me.auth_enabled && !me.user) {
      requireLogin('');
      return;
    }
    if (me.user) $('who').textContent = me.user + ' (client certificate)';
  } catch (e) {
    requireLogin(e.message);
    return;
  }
  start();
}

boot();
