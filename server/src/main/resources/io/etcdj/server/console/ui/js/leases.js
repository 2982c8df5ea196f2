// Leases: every lease with a live TTL countdown and its keys; grant, keep-alive (one renewal) and revoke.
import { call, stream, unb64 } from './api.js';
import { $, el, confirmAction } from './dom.js';

const MAX_LEASES_SHOWN = 500;
const decoder = new TextDecoder();

export class LeasesView {
  constructor(ctx) {
    this.ctx = ctx;
    this.rows = [];
    this.timer = null;
    $('lease-form').addEventListener('submit', (ev) => { ev.preventDefault(); this.grant(); });
    $('lease-refresh').addEventListener('click', () => this.load());
  }

  enter() {
    this.load();
    this.timer = setInterval(() => this.tick(), 1000);
  }

  leave() {
    clearInterval(this.timer);
    this.timer = null;
  }

  async load() {
    try {
      const r = await call('/v3/lease/leases', {});
      const ids = (r.leases || []).map((l) => l.ID).slice(0, MAX_LEASES_SHOWN);
      const infos = await Promise.all(ids.map((id) => call('/v3/lease/timetolive', { ID: id, keys: true })
        .catch(() => null)));
      const now = performance.now();
      this.rows = infos.filter((i) => i && Number(i.TTL) >= 0).map((i) => ({
        id: i.ID, ttl: Number(i.TTL), granted: Number(i.grantedTTL), keys: (i.keys || []).map((k) => decoder.decode(unb64(k))), at: now,
      }));
      this.render();
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
