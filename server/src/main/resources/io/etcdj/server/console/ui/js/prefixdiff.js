// A prefix's changes between two revisions (/ui/api/v1/diff, paged), each key's two values diffed on a click.
import { consoleApi, kv, b64, unb64, asText } from './api.js';
import { el } from './dom.js';
import { lineDiff } from './diff.js';
import { hexDump } from './format.js';

const decoder = new TextDecoder();

function shown(r) {
  const k = r.kvs && r.kvs[0];
  if (!k) return '';
  const bytes = unb64(k.value);
  const t = asText(bytes);
  return t === null ? hexDump(bytes) : t;
}

/** Renders the form into panel; onError gets failed calls. */
export function renderPrefixDiff(panel, prefix, onError) {
  const prefixInput = el('input', { id: 'diff-prefix', class: 'wide-input', value: prefix });
  const fromInput = el('input', { id: 'diff-from', type: 'number', min: '1', class: 'narrow-input', required: true });
  const toInput = el('input', { id: 'diff-to', type: 'number', min: '0', class: 'narrow-input', placeholder: 'now' });
  const status = el('div', { class: 'status', id: 'diff-status' });
  const rows = el('tbody', { id: 'diff-rows' });
  const valueDiff = el('div', { class: 'diff', id: 'diff-value', hidden: true });
  const more = el('button', { type: 'button', id: 'diff-more', text: 'More changes', hidden: true });
  let state = null;

  async function page() {
    more.hidden = true;
    try {
      const r = await consoleApi.diff({ ...state.params, continue: state.next });
      state.to = r.to_revision;
      state.scanned += Number(r.scanned);
      for (const c of r.changes) {
        state.found++;
        const key = unb64(c.key);
        rows.append(el('tr', { class: 'clickable', 'data-key': c.key, on: { click: () => showValues(key) } },
          el('td', { text: c.kind }), el('td', { text: decoder.decode(key) }),
          el('td', { text: c.from_mod_revision === '0' ? '' : c.from_mod_revision }),
          el('td', { text: c.to_mod_revision === '0' ? '' : c.to_mod_revision })));
      }
      state.next = r.continue;
      status.textContent = `${state.found} changed keys between revisions ${r.from_revision} and ${r.to_revision}`
        + ` (${state.scanned} keys examined${state.next ? ', more to look at' : ''}).`;
      if (state.next && state.found < state.goal) return page();
      more.hidden = !state.next;
    } catch (e) {
      status.textContent = e.message;
      if (e.needsLogin) onError(e);
    }
  }

  async function showValues(key) {
    try {
      const [a, b] = await Promise.all([kv.get(key, state.params.from_revision), kv.get(key, state.to)]);
      valueDiff.replaceChildren(el('div', { class: 'hint', text: `${decoder.decode(key)}: revision ${state.params.from_revision} → ${state.to}` }),
        ...lineDiff(shown(a), shown(b)).map((d) => el('span', { class: d.op === '+' ? 'add' : d.op === '-' ? 'del' : 'same', text: d.op + ' ' + d.line })));
      valueDiff.hidden = false;
    } catch (e) {
      onError(e);
    }
  }

  const form = el('form', { id: 'diff-form' },
    el('h2', { text: 'Changes under a prefix between two revisions' }),
    el('div', { class: 'toolbar' }, el('label', {}, 'Prefix ', prefixInput), el('label', {}, 'from revision ', fromInput),
      el('label', {}, 'to ', toInput), el('button', { type: 'submit', id: 'diff-go', text: 'Compare' })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    rows.replaceChildren();
    valueDiff.hidden = true;
    state = { params: { prefix: b64(prefixInput.value), from_revision: fromInput.value, to_revision: toInput.value || '0', limit: 100 },
      next: undefined, found: 0, scanned: 0, goal: 100 };
    page();
  });
  more.addEventListener('click', () => { state.goal = state.found + 100; page(); });
  panel.replaceChildren(form, status,
    el('table', { class: 'grid' }, el('thead', {}, el('tr', {}, ...['Change', 'Key', 'From mod rev', 'To mod rev'].map((h) => el('th', { text: h })))), rows),
    more, valueDiff);
  fromInput.focus();
}
