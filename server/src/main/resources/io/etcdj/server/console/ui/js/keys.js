// The Keys view: the tree on the left, the selected key on the right; "Revision" shows the keyspace as it was.
// While the view is open at the current revision a watch on every key keeps the tree current (directories on
// screen are reloaded when a key under them appears or goes) and flags the open key when someone else changes it.
import { stream, b64, unb64 } from './api.js';
import { $, el, message } from './dom.js';
import { KeyTree } from './tree.js';
import { KeyEditor } from './editor.js';
import { renderPrefixDiff } from './prefixdiff.js';

const RELOAD_DELAY_MS = 300;
const decoder = new TextDecoder();

export class KeysView {
  constructor(ctx) {
    this.ctx = ctx;
    this.tree = new KeyTree($('tree'), (key) => this.editor.show(key, this.tree.revision), ctx.onError);
    this.editor = new KeyEditor($('editor'), {
      onError: ctx.onError,
      onChanged: () => this.tree.reload(),
      onTravel: (rev) => this.travel(rev),
    });
    $('tree-refresh').addEventListener('click', () => this.tree.reload());
    $('key-new').addEventListener('click', () => this.editor.create(this.currentPrefix()));
    const del = el('button', { id: 'prefix-delete', type: 'button', text: 'Delete prefix', on: { click: () => this.editor.deletePrefix(this.currentPrefix()) } });
    const diff = el('button', { id: 'prefix-diff', type: 'button', text: 'Diff prefix', on: { click: () => renderPrefixDiff($('editor'), this.currentPrefix(), ctx.onError) } });
    $('key-new').after(del, diff);
    $('tree-revision').addEventListener('change', () => this.travel($('tree-revision').value));
    this.loaded = false;
    this.watch = null;
    this.pending = new Set();
  }

  /** The deepest expanded directory: where a new key probably goes. */
  currentPrefix() {
    let best = '';
    for (const p of this.tree.open) if (p.length > best.length) best = p;
    return decoder.decode(unb64(best));
  }

  /** Shows the keyspace as of revision (empty or 0: now). */
  travel(revision) {
    const rev = Number(revision) || 0;
    $('tree-revision').value = rev ? String(rev) : '';
    this.tree.revision = rev;
    this.tree.reload();
    if (this.editor.key) this.editor.show(this.editor.key, rev);
    this.rewatch();
  }

  open(key) {
    const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key;
    this.editor.show(bytes, this.tree.revision);
  }

  enter() {
    if (!this.loaded) {
      this.loaded = true;
      this.tree.reload();
    }
    this.rewatch();
  }

  leave() {
    if (this.watch) this.watch.abort();
    this.watch = null;
  }

  rewatch() {
    this.leave();
    if (this.tree.revision) return; // the past does not change
    const ac = new AbortController();
    this.watch = ac;
    stream('/v3/watch', { create_request: { key: 'AA==', range_end: 'AA==' } }, (res) => this.onEvents(res), ac.signal)
      .catch(() => { /* no read permission on every key, or the member went away: the tree still works */ });
  }

  changedElsewhere(key, modRevision) {
    const e = this.editor;
    if (e.key && b64(e.key) === b64(key) && e.seen && modRevision !== e.seen.mod_revision && modRevision !== e.lastWrite
        && Number(modRevision) > Number(e.seen.mod_revision)) {
      message(`"${decoder.decode(key)}" was changed at revision ${modRevision} by someone else.`);
    }
  }

  onEvents(res) {
    for (const ev of res.events || []) {
      const key = unb64(ev.kv.key);
      this.pending.add(this.tree.parentOnScreen(key));
      if (this.editor.key && b64(this.editor.key) === ev.kv.key) {
        // judged a little later: our own save's event may come before its answer updates what the editor saw
        setTimeout(() => this.changedElsewhere(key, ev.kv.mod_revision), RELOAD_DELAY_MS);
      }
    }
    if (this.pending.size && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        const dirs = [...this.pending];
        this.pending.clear();
        for (const d of dirs) this.tree.refreshDir(d);
      }, RELOAD_DELAY_MS);
    }
  }
}
