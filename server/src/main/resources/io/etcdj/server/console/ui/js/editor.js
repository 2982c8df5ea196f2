// The value viewer and editor of one key. Saves are compare-and-swap on the mod revision the user saw (a Txn
// comparing MOD; 0 for a new key, which must then not exist): a save that lost a race is refused and shown.
import { kv, unb64, text } from './api.js';
import { el, confirmAction, facts } from './dom.js';
import { describe } from './format.js';
import { renderHistory } from './history.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class KeyEditor {
  /**
   * @param panel     the element the editor renders into
   * @param ctx       {onError, onChanged(keyBytes), onTravel(revision)}
   */
  constructor(panel, ctx) {
    this.panel = panel;
    this.ctx = ctx;
    this.key = null;
    this.seen = null; // the key-value as last read: its mod_revision is what a save compares with
  }

  /** Shows key (bytes) as of revision (0: now). */
  async show(key, revision = 0) {
    this.key = key;
    this.revision = revision;
    let r;
    try {
      r = await kv.get(key, revision);
    } catch (e) {
      this.ctx.onError(e);
      return;
    }
    this.seen = r.kvs && r.kvs[0] ? r.kvs[0] : null;
    this.render();
  }

  render(conflict) {
    const name = decoder.decode(this.key);
    const k = this.seen;
    const children = [el('h2', { id: 'editor-key', text: name })];
    if (this.revision) children.push(el('div', { class: 'hint', text: `as of revision ${this.revision} (read-only)` }));
    if (conflict) children.push(conflict);
    if (!k) {
      children.push(el('p', { class: 'hint', text: 'This key does not exist' + (this.revision ? ' at this revision.' : '.') }));
      this.panel.replaceChildren(...children);
      return;
    }
    const bytes = unb64(k.value);
    const d = describe(bytes);
    const dl = el('dl', { class: 'facts' });
    facts(dl, [['mod revision', k.mod_revision], ['create revision', k.create_revision], ['version', k.version],
      ['lease', k.lease || '(none)'], ['size', bytes.length + ' bytes']]);
    children.push(dl, el('div', {}, 'Value ', el('span', { class: 'badge', id: 'value-kind', text: d.kind })),
      el('pre', { class: 'value', id: 'value-view', text: d.text }));
    const history = el('div', { class: 'history' });
    const buttons = el('div', { class: 'toolbar' });
    if (!this.revision) {
      if (d.editable) buttons.append(el('button', { id: 'value-edit', type: 'button', text: 'Edit', on: { click: () => this.edit(d.raw) } }));
      buttons.append(el('button', { id: 'key-delete', type: 'button', class: 'danger', text: 'Delete', on: { click: () => this.remove() } }));
    }
    buttons.append(el('button', { id: 'key-history', type: 'button', text: 'History', on: {
      click: () => renderHistory(history, this.key, this.revision, this.ctx.onTravel).catch(this.ctx.onError),
    } }));
    children.push(buttons, history);
    this.panel.replaceChildren(...children);
  }

  edit(raw) {
    const area = el('textarea', { class: 'value', id: 'value-editor', spellcheck: 'false' });
    area.value = raw;
    const save = el('button', { type: 'button', id: 'value-save', class: 'primary', text: 'Save', on: { click: () => this.save(area.value) } });
    const cancel = el('button', { type: 'button', text: 'Cancel', on: { click: () => this.render() } });
    this.panel.querySelector('#value-view').replaceWith(area);
    this.panel.querySelector('.toolbar').replaceChildren(save, cancel,
      el('span', { class: 'hint', text: `saves only if the key is still at mod revision ${this.seen.mod_revision}` }));
    area.focus();
  }

  async save(value) {
    const expected = this.seen ? this.seen.mod_revision : '0';
    let r;
    try {
      r = await kv.putIfUnchanged(this.key, value, expected);
    } catch (e) {
      this.ctx.onError(e);
      return;
    }
    if (r.succeeded) {
      this.lastWrite = r.header.revision; // our own event: not "changed by someone else"
      await this.show(this.key);
      this.ctx.onChanged(this.key);
      return;
    }
    const now = r.responses && r.responses[0] && r.responses[0].response_range.kvs
      ? r.responses[0].response_range.kvs[0] : null;
    this.refuse(expected, now, value);
  }

  /** A save or delete lost a race: show what is there now and keep the user's text. */
  refuse(expected, now, mine) {
    const box = el('div', { class: 'conflict', id: 'conflict' },
      el('strong', { text: 'Not saved: the key changed since you opened it. ' }),
      `You saw mod revision ${expected}; it is now ` + (now ? `at mod revision ${now.mod_revision}.` : 'deleted.'),
      now ? el('pre', { class: 'value', id: 'conflict-current', text: text(now.value) }) : null,
      mine !== undefined ? el('details', {}, el('summary', { text: 'Your unsaved text' }), el('pre', { class: 'value', text: mine })) : null);
    this.seen = now;
    this.render(box);
  }

  async remove() {
    const name = decoder.decode(this.key);
    if (!(await confirmAction(`Delete the key "${name}"?`))) return;
    try {
      const r = await kv.deleteIfUnchanged(this.key, this.seen.mod_revision);
      if (r.succeeded) this.lastWrite = r.header.revision;
      if (!r.succeeded) {
        const now = r.responses?.[0]?.response_range?.kvs?.[0] ?? null;
        this.refuse(this.seen.mod_revision, now);
        return;
      }
      this.seen = null;
      this.render();
      this.ctx.onChanged(this.key);
    } catch (e) {
      this.ctx.onError(e);
    }
  }

  /** The form for a new key; prefix pre-filled. */
  create(prefix = '') {
    const keyInput = el('input', { id: 'new-key', class: 'wide-input', value: prefix, required: true });
    const area = el('textarea', { class: 'value', id: 'new-value', spellcheck: 'false' });
    const form = el('form', { id: 'new-form' },
      el('h2', { text: 'New key' }),
      el('p', {}, el('label', {}, 'Key ', keyInput)),
      area,
      el('div', { class: 'toolbar' }, el('button', { type: 'submit', class: 'primary', id: 'new-save', text: 'Create' }),
        el('span', { class: 'hint', text: 'refused if the key already exists' })));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      this.key = encoder.encode(keyInput.value);
      this.seen = null;
      this.revision = 0;
      await this.save(area.value);
    });
    this.panel.replaceChildren(form);
    keyInput.focus();
  }

  /** The form deleting every key under a prefix, behind a confirmation that says how many. */
  deletePrefix(prefix = '') {
    const input = el('input', { id: 'delete-prefix', class: 'wide-input', value: prefix });
    const form = el('form', { id: 'delete-prefix-form' }, el('h2', { text: 'Delete every key under a prefix' }),
      el('p', {}, el('label', {}, 'Prefix ', input)),
      el('button', { type: 'submit', class: 'danger', id: 'delete-prefix-go', text: 'Delete…' }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const p = input.value;
      try {
        const c = await kv.countPrefix(p);
        const n = Number(c.count || 0);
        if (!(await confirmAction(`Delete ${n} key${n === 1 ? '' : 's'} under "${p || '(every key)'}"? This cannot be undone.`))) return;
        const r = await kv.deletePrefix(p);
        form.append(el('p', { id: 'delete-prefix-done', text: `Deleted ${r.deleted || 0} keys.` }));
        this.ctx.onChanged(encoder.encode(p));
      } catch (e) {
        this.ctx.onError(e);
      }
    });
    this.panel.replaceChildren(form);
  }
}
