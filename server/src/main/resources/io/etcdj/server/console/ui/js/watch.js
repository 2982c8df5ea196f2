// A live view of the events on a prefix: a gateway watch stream (/v3/watch, read with fetch + ReadableStream).
import { stream, b64, prefixEnd, unb64 } from './api.js';
import { $, el } from './dom.js';
import { describe } from './format.js';

const MAX_ROWS = 500;
const decoder = new TextDecoder();

export class WatchView {
  constructor(ctx) {
    this.ctx = ctx;
    this.abort = null;
    $('watch-form').addEventListener('submit', (ev) => { ev.preventDefault(); this.start(); });
    $('watch-stop').addEventListener('click', () => this.stop('Stopped.'));
  }

  start() {
    this.stop();
    const prefix = $('watch-prefix').value;
    const req = { key: b64(prefix), range_end: prefixEnd(prefix) };
    const from = Number($('watch-revision').value);
    if (from > 0) req.start_revision = String(from);
    $('watch-events').replaceChildren();
    const ac = new AbortController();
    this.abort = ac;
    $('watch-stop').hidden = false;
    $('watch-status').textContent = 'Connecting…';
    stream('/v3/watch', { create_request: req }, (res) => this.onResult(res), ac.signal)
      .then(() => this.stop('The member ended the watch.'))
      .catch((e) => {
        if (e.name === 'AbortError') return;
        this.stop('Watch failed: ' + e.message);
        this.ctx.onError(e);
      });
  }

  onResult(res) {
    if (res.created) $('watch-status').textContent = `Watching (from revision ${res.header.revision}).`;
    if (res.canceled) $('watch-status').textContent = 'Canceled: ' + (res.cancel_reason || 'compacted');
    const body = $('watch-events');
    for (const ev of res.events || []) {
      const value = ev.type === 'DELETE' ? '' : describe(unb64(ev.kv.value)).text.slice(0, 200);
      body.prepend(el('tr', { class: 'event' },
        el('td', { text: ev.kv.mod_revision }),
        el('td', { text: ev.type || 'PUT' }),
        el('td', { text: decoder.decode(unb64(ev.kv.key)) }),
        el('td', { text: value })));
    }
    while (body.children.length > MAX_ROWS) body.lastChild.remove();
  }

  stop(why) {
    if (this.abort) this.abort.abort();
    this.abort = null;
    $('watch-stop').hidden = true;
    if (why) $('watch-status').textContent = why;
  }
}
