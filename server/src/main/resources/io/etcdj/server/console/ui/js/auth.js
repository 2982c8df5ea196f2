// Users, roles and their key-range permissions; enable and disable auth. Every change is an Auth call through the
// gateway, so only root may make it (the member refuses anyone else).
import { call, b64, text, prefixEnd } from './api.js';
import { $, el, confirmAction, message } from './dom.js';

export class AuthView {
  constructor(ctx) {
    this.ctx = ctx;
    $('auth-refresh').addEventListener('click', () => this.load());
    $('auth-enable').addEventListener('click', () => this.act('/v3/auth/enable', {}, 'Auth enabled: log in again to go on.'));
    $('auth-disable').addEventListener('click', async () => {
      if (await confirmAction('Disable auth? Every client may then read and write every key.')) this.act('/v3/auth/disable', {}, 'Auth disabled.');
    });
    $('user-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.act('/v3/auth/user/add', { name: $('user-name').value, password: $('user-password').value });
      $('user-password').value = '';
    });
    $('role-form').addEventListener('submit', (ev) => { ev.preventDefault(); this.act('/v3/auth/role/add', { name: $('role-name').value }); });
  }

  enter() { this.load(); }

  async act(path, body, done) {
    try {
      await call(path, body);
      if (done) message(done);
      await this.load();
    } catch (e) {
      this.ctx.onError(e);
    }
  }

  async load() {
    try {
      const status = await call('/v3/auth/status', {});
      $('auth-state').textContent = status.enabled ? 'Auth is enabled.' : 'Auth is disabled.';
      $('auth-enable').hidden = !!status.enabled;
      $('auth-disable').hidden = !status.enabled;
      const [users, roles] = await Promise.all([call('/v3/auth/user/list', {}), call('/v3/auth/role/list', {})]);
      const userInfo = await Promise.all((users.users || []).map((u) => call('/v3/auth/user/get', { name: u }).then((r) => [u, r.roles || []])));
      const roleInfo = await Promise.all((roles.roles || []).map((r) => call('/v3/auth/role/get', { role: r }).then((x) => [r, x.perm || []])));
      const roleNames = roles.roles || [];
      $('user-rows').replaceChildren(...userInfo.map(([u, rs]) => this.userRow(u, rs, roleNames)));
      $('role-rows').replaceChildren(...roleInfo.map(([r, perms]) => this.roleRow(r, perms)));
    } catch (e) {
      this.ctx.onError(e);
    }
  }

  userRow(user, roles, roleNames) {
    const pick = el('select', {}, ...roleNames.filter((r) => !roles.includes(r)).map((r) => el('option', { value: r, text: r })));
    return el('tr', { 'data-user': user },
      el('td', { text: user }),
      el('td', {}, ...roles.map((r) => el('span', { class: 'badge' }, r, ' ',
        el('button', { type: 'button', title: 'revoke', text: '×', on: { click: () => this.act('/v3/auth/user/revoke', { name: user, role: r }) } })))),
      el('td', {}, pick, ' ',
        el('button', { type: 'button', text: 'Grant role', on: { click: () => pick.value && this.act('/v3/auth/user/grant', { user, role: pick.value }) } }), ' ',
        el('button', { type: 'button', class: 'danger', text: 'Delete', on: { click: async () => {
          if (await confirmAction(`Delete user ${user}?`)) this.act('/v3/auth/user/delete', { name: user });
        } } })));
  }

  roleRow(role, perms) {
    const key = el('input', { placeholder: 'key or prefix', class: 'perm-key' });
    const isPrefix = el('input', { type: 'checkbox', checked: true });
    const type = el('select', {}, ...['READ', 'WRITE', 'READWRITE'].map((t) => el('option', { value: t, text: t })));
    const grant = () => {
      const perm = { permType: type.value, key: b64(key.value) };
      if (isPrefix.checked) perm.range_end = prefixEnd(key.value);
      this.act('/v3/auth/role/grant', { name: role, perm });
    };
    return el('tr', { 'data-role': role },
      el('td', { text: role }),
      el('td', {}, ...perms.map((p) => el('div', {},
        `${p.permType || 'READ'} ${text(p.key)}${p.range_end ? ' .. ' + (p.range_end === 'AA==' ? '(end)' : text(p.range_end)) : ''} `,
        el('button', { type: 'button', title: 'revoke', text: '×', on: { click: () => this.act('/v3/auth/role/revoke', { role, key: p.key, range_end: p.range_end }) } })))),
      el('td', {}, el('span', { class: 'perm-form' }, key, el('label', {}, isPrefix, 'prefix'), type,
        el('button', { type: 'button', text: 'Grant', on: { click: grant } }), ' ',
        el('button', { type: 'button', class: 'danger', text: 'Delete role', on: { click: async () => {
          if (await confirmAction(`Delete role ${role}?`)) this.act('/v3/auth/role/delete', { role });
        } } }))));
  }
}
