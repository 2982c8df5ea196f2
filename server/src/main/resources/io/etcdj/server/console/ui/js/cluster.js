// Cluster: members (with the leader, and each one's health, raft term, applied index and DB sizes, which this
// member asks of every member over the peer port: /ui/api/v1/members), this member's status, alarms (with disarm), compaction, defragmentation and
// the space used per top-level prefix (/ui/api/v1/usage, added up page by page).
import { call, kv, consoleApi, unb64 } from './api.js';
import { $, el, facts, bytesText, confirmAction, message } from './dom.js';

const decoder = new TextDecoder();

/** A member's health as the members endpoint reports it: answered without errors, or why not. */
function healthText(s) {
  if (!s) return '';
  if (s.healthy) return 'healthy';
  if (!s.status) return `unhealthy: ${s.error} (${s.took_ms} ms)`;
  return 'unhealthy: ' + (s.status.errors || []).join('; ');
}

/**
 * How far a member is behind: on the leader's console its log's match index against the leader's last index; on
 * another console the leader's commit index minus the member's applied index, both from their Status.
 */
function lagText(progress, leaderStatus, st) {
  if (progress) return progress.lag + (progress.active ? '' : ' (not heard from)');
  if (!leaderStatus || st.raftAppliedIndex === undefined) return '';
  return String(Math.max(0, Number(leaderStatus.raftIndex || 0) - Number(st.raftAppliedIndex))) + ' (applied)';
}

export class ClusterView {
  constructor(ctx) {
    this.ctx = ctx;
    $('cluster-refresh').addEventListener('click', () => this.load());
    $('compact-go').addEventListener('click', () => this.compact());
    $('defrag-go').addEventListener('click', () => this.defrag());
    $('usage-go').addEventListener('click', () => this.usage());
  }

  enter() { this.load(); }

  async load() {
    try {
      const [members, status, alarms, raft, fanOut] = await Promise.all([
        call('/v3/cluster/member/list', {}),
        call('/v3/maintenance/status', {}).catch((e) => ({ header: {}, errors: [e.message] })), // root only since 3.6
        call('/v3/maintenance/alarm', { action: 'GET' }),
        call('/ui/api/v1/raft', {}).catch(() => null), // root only
        call('/ui/api/v1/members', {}).catch(() => null), // every member's Status, through this one; root only
      ]);
      const progress = new Map(((raft && raft.members) || []).map((p) => [p.id, p]));
      const statuses = new Map(((fanOut && fanOut.members) || []).map((m) => [m.id, m]));
      const memberList = members.members || [];
      const leaderStatus = statuses.get(status.leader)?.status;
      $('cluster-members').replaceChildren(...memberList.map((m) => {
        const s = statuses.get(m.ID);
        const st = (s && s.status) || {};
        return el('tr', { 'data-member': m.ID, title: 'peer URLs: ' + (m.peerURLs || []).join(', ') },
          el('td', { text: m.name || '(not started)' }),
          el('td', { text: BigInt(m.ID).toString(16) }),
          el('td', { text: m.ID === status.leader ? 'leader' : m.isLearner ? 'learner' : 'follower' }),
          el('td', { class: 'health ' + (s ? (s.healthy ? 'healthy' : 'unhealthy') : ''), text: healthText(s) }),
          el('td', { class: 'term', text: st.raftTerm ?? '' }),
          el('td', { class: 'applied', text: st.raftAppliedIndex ?? '' }),
          el('td', { text: progress.get(m.ID)?.match ?? '' }),
          el('td', { class: 'lag', text: lagText(progress.get(m.ID), leaderStatus, st) }),
          el('td', { class: 'db-size', text: s && s.status ? bytesText(st.dbSize || 0) : '' }),
          el('td', { class: 'db-in-use', text: s && s.status ? bytesText(st.dbSizeInUse || 0) : '' }),
          el('td', { text: st.version ?? '' }),
          el('td', { text: (m.clientURLs || []).join(', ') }));
      }));
      $('cluster-fanout').textContent = fanOut
        ? `Status asked of every member through this one over the peer port (each within ${fanOut.timeout_ms} ms; took ${fanOut.took_ms} ms).`
        : 'Only root sees the other members\' health and sizes.';
      const leader = memberList.find((m) => m.ID === status.leader);
      const hint = $('cluster-lag-hint');
      hint.hidden = !raft || progress.size > 0;
      if (!hint.hidden) {
        hint.replaceChildren('Lag here is the leader\'s commit index minus each member\'s applied index (from their Status); the match index of each member\'s log is known to the leader only: ',
          leader && leader.clientURLs && leader.clientURLs[0]
            ? el('a', { href: leader.clientURLs[0].replace(/\/$/, '') + '/ui/', text: 'open the leader\'s console' })
            : 'no leader now', '.');
      }
      facts($('cluster-status'), [
        ['member', status.header.member_id ? BigInt(status.header.member_id).toString(16) : '(only root may ask)'],
        ['version', status.version],
        ['leader', BigInt(status.leader || 0).toString(16)],
        ['raft term', status.raftTerm || '0'],
        ['raft index', status.raftIndex || '0'],
        ['applied index', status.raftAppliedIndex || '(n/a)'],
        ['revision', status.header.revision],
        ['DB size', bytesText(status.dbSize || 0)],
        ['DB size in use', status.dbSizeInUse ? bytesText(status.dbSizeInUse) : '(n/a)'],
        ['errors', (status.errors || []).join('; ') || '(none)'],
      ]);
      if (status.header.revision) $('compact-revision').value = status.header.revision;
      const list = alarms.alarms || [];
      $('cluster-alarms').replaceChildren(list.length ? el('ul', {}, list.map((a) => el('li', {},
        `${a.alarm} on ${BigInt(a.memberID).toString(16)} `,
        el('button', { type: 'button', text: 'Disarm', on: { click: () => this.disarm(a) } })))) : el('p', { class: 'hint', text: 'No alarms.' }));
    } catch (e) {
      this.ctx.onError(e);
    }
  }

  async compact() {
    const rev = $('compact-revision').value;
    if (!(await confirmAction(`Compact the history up to revision ${rev}? Older revisions can no longer be read.`))) return;
    try {
      await kv.compact(rev);
      message(`Compacted up to revision ${rev}.`);
    } catch (e) {
      this.ctx.onError(e);
    }
  }

  async defrag() {
    try {
      await call('/v3/maintenance/defragment', {});
      message('Defragmented.');
      this.load();
    } catch (e) {
      this.ctx.onError(e);
    }
  }

  async disarm(a) {
    try {
      await call('/v3/maintenance/alarm', { action: 'DEACTIVATE', memberID: a.memberID, alarm: a.alarm });
      this.load();
    } catch (e) {
      this.ctx.onError(e);
    }
  }

  async usage() {
    const totals = new Map();
    let cont;
    let pages = 0;
    $('usage-status').textContent = 'Measuring…';
    try {
      do {
        const r = await consoleApi.usage(cont);
        for (const p of r.prefixes) {
          const t = totals.get(p.prefix) || { versions: 0, bytes: 0 };
          t.versions += Number(p.versions);
          t.bytes += Number(p.bytes);
          totals.set(p.prefix, t);
        }
        cont = r.continue;
        pages++;
        $('usage-status').textContent = `Measuring… (${pages} pages)`;
      } while (cont && pages < 1000);
    } catch (e) {
      $('usage-status').textContent = '';
      this.ctx.onError(e);
      return;
    }
    const rows = [...totals.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 200);
    $('usage-rows').replaceChildren(...rows.map(([p, t]) => el('tr', {},
      el('td', { text: p ? decoder.decode(unb64(p)) : '(keys without a delimiter)' }),
      el('td', { text: String(t.versions) }),
      el('td', { text: bytesText(t.bytes) }))));
    $('usage-status').textContent = cont ? 'Stopped after 1,000 pages.' : 'Done.';
  }
}
