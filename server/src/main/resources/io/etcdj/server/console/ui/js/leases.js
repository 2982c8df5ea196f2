// Leases: every lease with a live TTL countdown and its keys; grant, keep-alive (one renewal) and revoke.
// LeaseLeases lists every lease's ID (a few bytes each); TimeToLive (with the keys) is asked only for the page on
// screen, PAGE_SIZE leases at a time, so a member with 100,000 leases costs one list and 50 small calls.
import { call, stream, unb64 } from './api.js';
import { $, el, confirmAction } from './dom.js';

const PAGE_SIZE = 50;
const decoder = new TextDecoder();

export class LeasesView {
  constructor(ctx) {
    this.ctx = ctx;
    this.rows = [];
    this.ids = [];
    this.page = 0;
    this.timer = null;
    $('lease-form').addEventListener('submit', (ev) => { ev.preventDefault(); this.grant(); });
    $('lease-refresh').addEventListener('click', () => this.load());
    $('lease-prev').addEventListener('click', () => { this.page--; this.showPage(); });
    $('lease-next').addEventListener('click', () => { this.page++; this.showPage(); });
  }

  enter() {
    this.load();
    this.timer = setInterval(() => this.tick(), 1000);
  }

  leave() {
    clearInterval(this.timer);
    this.timer = null;
  }

  /** Lists every lease's ID (oldest ID first), then shows the current page. */
  async load() {
    try {
      const r = await call('/v3/lease/leases', {});
      this.ids = (r.leases || []).map((l) => BigInt(l.ID)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map((id) => id.toString());
      await this.showPage();
    } catch (e) {
      this.ctx.onError(e);
    }
  }

  /** Asks TimeToLive (with the keys) of the leases on the current page only. */
  async showPage() {
    const pages = Math.max(1, Math.ceil(this.ids.length / PAGE_SIZE));
    this.page = Math.min(Math.max(0, this.page), pages - 1);
    const first = this.page * PAGE_SIZE;
    const ids = this.ids.slice(first, first + PAGE_SIZE);
    try {
      const infos = await Promise.all(ids.map((id) => call('/v3/lease/timetolive', { ID: id, keys: true })
        .catch(() => null)));
      const now = performance.now();
      this.rows = infos.filter((i) => i && Number(i.TTL) >= 0).map((i) => ({
        id: i.ID, ttl: Number(i.TTL), granted: Number(i.grantedTTL), keys: (i.keys || []).map((k) => decoder.decode(unb64(k))), at: now,
      }));
      this.render();
      $('lease-page').textContent = this.ids.length === 0 ? 'No leases.'
        : `Leases ${first + 1}–${first + ids.length} of ${this.ids.length} (page ${this.page + 1} of ${pages})`;
      $('lease-prev').disabled = this.page === 0;
      $('lease-next').disabled = this.page >= pages - 1;
    } catch (e) {
      this.ctx.onError(e);
    }
  }

  render() {
    $('lease-rows').replaceChildren(...this.rows.map((r) => {
      const left = el('td', { class: 'ttl', text: String(r.ttl) });
      r.cell = left;
      return el('tr', { 'data-lease': r.id },
        el('td', { text: BigInt(r.id).toString(16) + ' (' + r.id + ')' }),
        left,
        el('td', { text: String(r.granted) }),
        el('td', { text: r.keys.length ? r.keys.slice(0, 20).join(', ') + (r.keys.length > 20 ? ` … (${r.keys.length})` : '') : '(none)' }),
        el('td', {},
          el('button', { type: 'button', class: 'keepalive', text: 'Keep alive', on: { click: () => this.keepAlive(r.id) } }), ' ',
          el('button', { type: 'button', class: 'danger revoke', text: 'Revoke', on: { click: () => this.revoke(r.id) } })));
    }));
  }

  /** Counts down locally; reloads when a lease should have expired (the member revoked it, or will shortly). */
  tick() {
    const now = performance.now();
    let expired = false;
    for (const r of this.rows) {
      const left = Math.max(0, Math.ceil(r.ttl - (now - r.at) / 1000));
      if (r.cell) r.cell.textContent = left === 0 ? 'expired' : String(left);
      if (left === 0) expired = true;
    }
    if (expired && !this.reloading) {
      this.reloading = true;
      setTimeout(() => { this.reloading = false; this.load(); }, 1000);
    }
  }

  async grant() {
    try {
      await call('/v3/lease/grant', { TTL: String(Number($('lease-ttl').value) || 60) });
      await this.load();
    } catch (e) {
      this.ctx.onError(e);
    }
  }

  async keepAlive(id) {
    const ac = new AbortController();
    try {
      await stream('/v3/lease/keepalive', { ID: id }, () => ac.abort(), ac.signal);
    } catch (e) {
      if (e.name !== 'AbortError') this.ctx.onError(e);
    }
    this.load();
  }

  async revoke(id) {
    if (!(await confirmAction(`Revoke lease ${id}? Its keys are deleted.`))) return;
    try {
      await call('/v3/lease/revoke', { ID: id });
      await this.load();
    } catch (e) {
      this.ctx.onError(e);
    }
  }
}
