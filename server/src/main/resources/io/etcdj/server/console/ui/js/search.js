// Server-side search (/ui/api/v1/search): each request does a bounded amount of work and says where to go on; the
// view keeps asking until a page of hits is full or the keyspace is done, and Stop cancels at once.
import { consoleApi, b64, prefixEnd, unb64 } from './api.js';
import { $, el } from './dom.js';

const PAGE_HITS = 50;
const decoder = new TextDecoder();

export class SearchView {
  constructor(ctx) {
    this.ctx = ctx;
    this.abort = null;
    this.next = null;
    $('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); this.start(); });
    $('search-stop').addEventListener('click', () => this.stop('Stopped.'));
    $('search-more').addEventListener('click', () => this.page());
  }

  leave() { this.stop(); }

  start() {
    this.stop();
    $('search-results').replaceChildren();
    const prefix = $('search-prefix').value;
    this.params = {
      text: $('search-text').value,
      regex: $('search-regex').checked,
      values: $('search-values').checked,
      ignore_case: $('search-case').checked,
      key: b64(prefix),
      range_end: prefixEnd(prefix),
      limit: PAGE_HITS,
    };
    this.next = undefined;
    this.found = 0;
    this.scanned = 0;
    this.page();
  }

  stop(why) {
    if (this.abort) this.abort.abort();
    this.abort = null;
    $('search-stop').hidden = true;
    if (why) $('search-status').textContent = why + ` ${this.found || 0} found, ${this.scanned || 0} keys examined.`;
  }

  /** Asks until PAGE_HITS more hits are shown or the range is done. */
  async page() {
    const ac = new AbortController();
    this.abort = ac;
    $('search-stop').hidden = false;
    $('search-more').hidden = true;
    const goal = this.found + PAGE_HITS;
    const started = performance.now();
    try {
      do {
        const r = await consoleApi.search({ ...this.params, continue: this.next, limit: goal - this.found }, ac.signal);
        this.scanned += Number(r.scanned);
        for (const h of r.hits) this.show(h);
        this.next = r.continue;
        $('search-status').textContent = `${this.found} found, ${this.scanned} keys examined` + (this.next ? '…' : '.');
      } while (this.next && this.found < goal && !ac.signal.aborted);
    } catch (e) {
      if (e.name === 'AbortError') return;
      $('search-status').textContent = e.message;
      if (e.needsLogin) this.ctx.onError(e);
      return;
    } finally {
      if (this.abort === ac) { this.abort = null; $('search-stop').hidden = true; }
    }
    const ms = Math.round(performance.now() - started);
    $('search-status').textContent = `${this.found} found, ${this.scanned} keys examined` + (this.next ? ` (more to search; ${ms} ms)` : ` (done; ${ms} ms)`);
    $('search-more').hidden = !this.next;
  }

  show(hit) {
    this.found++;
    const key = unb64(hit.key);
    $('search-results').append(el('tr', { class: 'clickable', 'data-key': hit.key, on: { click: () => this.ctx.open('keys', key) } },
      el('td', { text: decoder.decode(key) }),
      el('td', { text: hit.in_value ? 'value' : 'key' }),
      el('td', { text: hit.mod_revision || '' }),
      el('td', { text: hit.value_size || '' })));
  }
}
