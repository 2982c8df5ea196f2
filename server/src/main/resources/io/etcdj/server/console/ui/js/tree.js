// The key tree: "/"-separated prefixes loaded lazily, one directory's children per request (/ui/api/v1/children,
// paged: a "more" node fetches the next page). Keys without a leading "/" appear at the top level beside "/".
import { consoleApi, unb64, b64 } from './api.js';
import { el, message } from './dom.js';

const decoder = new TextDecoder();
/** Empty pages (only deleted keys stepped over) followed without asking. */
const MAX_EMPTY_PAGES = 20;

export class KeyTree {
  /**
   * @param root     the element to render into
   * @param onSelect called with a leaf key's bytes when the user picks it
   * @param onError  called with a failed call's error
   */
  constructor(root, onSelect, onError) {
    this.root = root;
    this.onSelect = onSelect;
    this.onError = onError;
    this.revision = 0;
    this.open = new Set(['']); // base64 of the expanded prefixes; '' is the root
    this.lists = new Map(); // base64 prefix -> its <ul>
    this.selected = null;
  }

  /** Reloads from the root, keeping expanded what was expanded. */
  async reload() {
    const ul = el('ul', { role: 'group' });
    this.lists = new Map([['', ul]]);
    this.root.replaceChildren(ul);
    await this.load(new Uint8Array(0), ul);
  }

  /** Reloads one directory's children if it is on screen (a watch saw a change under it). */
  async refreshDir(prefixB64) {
    const ul = this.lists.get(prefixB64);
    if (ul && this.open.has(prefixB64)) {
      ul.replaceChildren();
      await this.load(unb64(prefixB64), ul);
    }
  }

  /** The expanded directory deepest above a key, as base64 (where a new key would appear). */
  parentOnScreen(keyBytes) {
    for (let i = keyBytes.length - 1; i >= 0; i--) {
      if (keyBytes[i] === 0x2f) {
        const p = b64(keyBytes.subarray(0, i + 1));
        if (this.open.has(p)) return p;
      }
    }
    return '';
  }

  /**
   * Appends a page of a directory's children. A page may end early, even empty, after stepping over many deleted
   * (not yet compacted) keys: an empty one is followed at once, up to MAX_EMPTY_PAGES in a row.
   */
  async load(prefix, ul, cont, emptyPages = 0) {
    let page;
    try {
      page = await consoleApi.children(prefix, this.revision, cont);
    } catch (e) {
      ul.append(el('li', { class: 'error', text: e.message }));
      this.onError(e);
      return;
    }
    for (const c of page.children) ul.append(this.node(prefix, c));
    if (page.continue && !page.children.length && emptyPages < MAX_EMPTY_PAGES) {
      await this.load(prefix, ul, page.continue, emptyPages + 1);
      return;
    }
    if (page.continue) {
      const label = page.skipped ? `more… (${page.skipped} deleted keys stepped over)` : 'more…';
      const more = el('li', {}, el('span', { class: 'node more', text: label, on: { click: () => { more.remove(); this.load(prefix, ul, page.continue); } } }));
      ul.append(more);
    }
    if (!page.continue && ul.childElementCount === 0) ul.append(el('li', { class: 'hint', text: '(no keys)' }));
  }

  node(prefix, child) {
    const key = unb64(child.key);
    const label = decoder.decode(key.subarray(prefix.length)) || decoder.decode(key) || '(empty key)';
    if (!child.dir) {
      const span = el('span', { class: 'node leaf', role: 'treeitem', 'data-key': child.key, text: label, title: decoder.decode(key) });
      span.addEventListener('click', () => this.select(span, key));
      return el('li', {}, span);
    }
    const span = el('span', { class: 'node dir', role: 'treeitem', 'data-prefix': child.key, text: label, title: decoder.decode(key) });
    const li = el('li', {}, span);
    const expand = async () => {
      const ul = el('ul', { role: 'group' });
      li.append(ul);
      this.lists.set(child.key, ul);
      span.classList.add('open');
      this.open.add(child.key);
      await this.load(key, ul);
    };
    span.addEventListener('click', () => {
      if (span.classList.contains('open')) {
        span.classList.remove('open');
        this.open.delete(child.key);
        this.lists.delete(child.key);
        li.querySelector('ul')?.remove();
      } else {
        expand();
      }
    });
    if (this.open.has(child.key)) expand();
    return li;
  }

  select(span, key) {
    if (this.selected) this.selected.classList.remove('selected');
    span.classList.add('selected');
    this.selected = span;
    message('');
    this.onSelect(key);
  }
}
