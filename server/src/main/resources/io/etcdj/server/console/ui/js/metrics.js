// Live charts from this member's own /metrics (Prometheus text): writes/s, reads/s, watchers, WAL fsync latency,
// keys and DB size, sampled every 2 s while the view is open, the last 5 minutes kept.
import { $, el } from './dom.js';

const PERIOD_MS = 2000;
const KEEP = 150;
const SVG = 'http://www.w3.org/2000/svg';

/** name -> summed value over every label set, for the metrics asked for. */
function parse(textBody, wanted) {
  const sums = new Map();
  for (const line of textBody.split('\n')) {
    if (!line || line[0] === '#') continue;
    const brace = line.indexOf('{');
    const space = line.lastIndexOf(' ');
    const name = line.slice(0, brace >= 0 ? brace : line.indexOf(' '));
    if (!wanted.has(name)) continue;
    const labels = brace >= 0 ? line.slice(brace, line.lastIndexOf('}') + 1) : '';
    const key = name + (name === 'grpc_server_handled_total' ? (/grpc_method="Range"/.test(labels) ? ':Range' : ':other') : '');
    sums.set(key, (sums.get(key) || 0) + Number(line.slice(space + 1)));
  }
  return sums;
}

const CHARTS = [
  { id: 'writes', title: 'Writes/s (puts + deletes)', rate: (s) => (s.get('etcd_mvcc_put_total') || 0) + (s.get('etcd_mvcc_delete_total') || 0) },
  { id: 'reads', title: 'Ranges/s', rate: (s) => s.get('grpc_server_handled_total:Range') || 0 },
  { id: 'watchers', title: 'Watchers', gauge: (s) => s.get('etcd_debugging_mvcc_watcher_total') || 0 },
  { id: 'fsync', title: 'WAL fsync, mean ms', ratio: (s) => [s.get('etcd_disk_wal_fsync_duration_seconds_sum') || 0, s.get('etcd_disk_wal_fsync_duration_seconds_count') || 0], scale: 1000 },
  { id: 'keys', title: 'Keys', gauge: (s) => s.get('etcd_debugging_mvcc_keys_total') || 0 },
  { id: 'db', title: 'DB size, KiB', gauge: (s) => Math.round((s.get('etcd_mvcc_db_total_size_in_bytes') || 0) / 1024) },
];
const WANTED = new Set(['etcd_mvcc_put_total', 'etcd_mvcc_delete_total', 'grpc_server_handled_total',
  'etcd_debugging_mvcc_watcher_total', 'etcd_disk_wal_fsync_duration_seconds_sum',
  'etcd_disk_wal_fsync_duration_seconds_count', 'etcd_debugging_mvcc_keys_total', 'etcd_mvcc_db_total_size_in_bytes']);

export class MetricsView {
  constructor(ctx) {
    this.ctx = ctx;
    this.timer = null;
    this.previous = null;
    this.series = new Map(CHARTS.map((c) => [c.id, []]));
    this.cells = new Map();
    $('charts').replaceChildren(...CHARTS.map((c) => {
      const now = el('div', { class: 'now', id: 'chart-' + c.id, text: '…' });
      const svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('viewBox', `0 0 ${KEEP} 100`);
      svg.setAttribute('preserveAspectRatio', 'none');
      const line = document.createElementNS(SVG, 'polyline');
      svg.append(line);
      this.cells.set(c.id, { now, line });
      return el('div', { class: 'chart' }, el('h4', { text: c.title }), now, svg);
    }));
  }

  enter() {
    this.sample();
    this.timer = setInterval(() => this.sample(), PERIOD_MS);
  }

  leave() {
    clearInterval(this.timer);
    this.timer = null;
    this.previous = null;
  }

  async sample() {
    let sums;
    try {
      const r = await fetch('/metrics');
      sums = parse(await r.text(), WANTED);
    } catch (e) {
      return; // the member is away: the next sample tries again
    }
    const at = performance.now();
    const prev = this.previous;
    this.previous = { sums, at };
    for (const c of CHARTS) {
      let v = null;
      if (c.gauge) v = c.gauge(sums);
      else if (prev && c.rate) v = Math.max(0, (c.rate(sums) - c.rate(prev.sums)) / ((at - prev.at) / 1000));
      else if (prev && c.ratio) {
        const [s1, n1] = c.ratio(sums);
        const [s0, n0] = c.ratio(prev.sums);
        v = n1 > n0 ? ((s1 - s0) / (n1 - n0)) * c.scale : 0;
      }
      if (v === null) continue;
      const points = this.series.get(c.id);
      points.push(v);
      if (points.length > KEEP) points.shift();
      this.draw(c.id, points);
    }
  }

  draw(id, points) {
    const { now, line } = this.cells.get(id);
    const last = points[points.length - 1];
    now.textContent = Number.isInteger(last) || last >= 100 ? Math.round(last).toString() : last.toFixed(2);
    const max = Math.max(...points, 1e-9);
    const offset = KEEP - points.length;
    line.setAttribute('points', points.map((p, i) => `${offset + i},${(100 - (p / max) * 95).toFixed(1)}`).join(' '));
  }
}
