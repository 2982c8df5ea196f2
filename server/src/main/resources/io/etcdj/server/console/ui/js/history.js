// A key's history: every version still held, found by reading the key just below each version's mod revision
// (one gateway range per version, newest first, at most MAX_VERSIONS), and a diff between any two.
import { kv, unb64, asText } from './api.js';
import { el } from './dom.js';
import { lineDiff } from './diff.js';
import { hexDump } from './format.js';

const MAX_VERSIONS = 100;

/** The versions of a key, newest first: [{kv, note}], and why the walk stopped. */
export async function versions(key, fromRevision = 0) {
  const out = [];
  let r = await kv.get(key, fromRevision);
  let cur = r.kvs && r.kvs[0];
  let end = cur ? '' : 'the key does not exist at this revision';
  while (cur && out.length < MAX_VERSIONS) {
    out.push(cur);
    const below = Number(cur.mod_revision) - 1;
    if (below < 1 || cur.version === '1' || !cur.version) { end = `created at revision ${cur.create_revision}`; break; }
    try {
      r = await kv.get(key, below);
    } catch (e) {
      end = /compacted/.test(e.message) ? 'older versions are compacted' : e.message;
      break;
    }
    cur = r.kvs && r.kvs[0];
    if (!cur) end = 'no older version';
  }
  if (out.length >= MAX_VERSIONS) end = `showing the newest ${MAX_VERSIONS} versions`;
  return { list: out, end };
}

function shown(kvItem) {
  const bytes = unb64(kvItem.value);
  const t = asText(bytes);
  return t === null ? hexDump(bytes) : t;
}

/** Renders the history panel of a key into container; onTravel(revision) opens the keyspace at that revision. */
export async function renderHistory(container, key, revision, onTravel) {
  container.replaceChildren(el('p', { class: 'status', text: 'Loading history…' }));
  const { list, end } = await versions(key, revision);
  const rows = list.map((k, i) => el('tr', { 'data-revision': k.mod_revision },
    el('td', {}, el('input', { type: 'radio', name: 'hist-a', value: String(i), checked: i === Math.min(1, list.length - 1) })),
    el('td', {}, el('input', { type: 'radio', name: 'hist-b', value: String(i), checked: i === 0 })),
    el('td', { text: k.mod_revision }),
    el('td', { text: k.version }),
    el('td', { text: String(unb64(k.value).length) }),
    el('td', {}, el('button', { type: 'button', class: 'travel', text: 'Keyspace then', on: { click: () => onTravel(k.mod_revision) } }))));
  const diffBox = el('div', { class: 'diff', id: 'history-diff' });
  const compare = () => {
    const a = list[Number(container.querySelector('input[name=hist-a]:checked')?.value ?? 0)];
    const b = list[Number(container.querySelector('input[name=hist-b]:checked')?.value ?? 0)];
    if (!a || !b) return;
    const lines = lineDiff(shown(a), shown(b));
    diffBox.replaceChildren(el('div', { class: 'hint', text: `revision ${a.mod_revision} → ${b.mod_revision}` }),
      ...lines.map((d) => el('span', { class: d.op === '+' ? 'add' : d.op === '-' ? 'del' : 'same', text: d.op + ' ' + d.line })));
  };
  container.replaceChildren(
    el('h3', { text: `History (${list.length} version${list.length === 1 ? '' : 's'}; ${end})` }),
    el('table', { class: 'grid', id: 'history-table' },
      el('thead', {}, el('tr', {}, ...['A', 'B', 'Mod revision', 'Version', 'Size', ''].map((h) => el('th', { text: h })))),
      el('tbody', {}, rows)),
    el('button', { type: 'button', id: 'history-compare', text: 'Compare A → B', on: { click: compare } }),
    diffBox);
  if (list.length) compare();
}
