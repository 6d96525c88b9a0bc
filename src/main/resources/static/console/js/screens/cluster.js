// Cluster: this node's live view (from the status stream), every member with its lag as the leader
// sees it, the health components (admin), and the two admin actions: move leadership, snapshot now.

import { keepFocus } from '../focus.js';
import { h, fill, problemView, table, formatMillis, confirmAction, notify, throttle, stateView } from '../ui.js';

export const title = 'Cluster';

export function mount(root, ctx) {
  const facts = h('div', { class: 'card' }, stateView('loading', 'Waiting for the node’s status…'));
  const members = h('div');
  const health = h('div');
  const version = h('div');
  const feedback = h('div', { class: 'feedback' });
  const actions = [];
  if (ctx.isAdmin) {
    actions.push(h('button', { type: 'button', data: { testid: 'snapshot' }, onclick: snapshot, text: 'Snapshot this node' }));
  }
  fill(root, ctx.header('Cluster', ...actions), feedback, facts,
    h('h2', { text: 'Members' }), members,
    h('h2', { text: 'Health' }), health,
    h('h2', { text: 'Versions' }), version);

  async function snapshot() {
    try {
      const answer = await ctx.api('/v1/cluster/snapshot', { method: 'POST' });
      fill(feedback);
      notify(`Snapshot taken at index ${answer.body.index}`);
    } catch (problem) {
      fill(feedback, problemView(problem, 'Snapshot refused'));
    }
  }

  async function transfer(id) {
    const ok = await confirmAction({ title: `Move leadership to ${id}?`, message: 'Writes pause for the moment the transfer takes; clients retry on the new leader.', confirm: 'Move leadership' });
    if (!ok) return;
    try {
      await ctx.api('/v1/cluster/leader', { method: 'POST', json: { id } });
      fill(feedback);
      notify(`Leadership moving to ${id}`);
    } catch (problem) {
      fill(feedback, problemView(problem, 'Leadership transfer refused'));
    }
  }

  function render() {
    const node = ctx.status.node;
    if (!node) return;
    ctx.setRevision(node.appliedIndex);
    fill(facts, h('dl', { class: 'facts' },
      h('dt', { text: 'Cluster' }), h('dd', { text: `${node.clusterName} (group ${node.groupId})` }),
      h('dt', { text: 'This node' }), h('dd', { text: `${node.nodeId}, ${node.role.toLowerCase()}${node.alive ? '' : ', Raft server stopped'}` }),
      h('dt', { text: 'Leader' }), h('dd', { text: node.leaderId || 'none known' }),
      h('dt', { text: 'Term' }), h('dd', { text: node.term }),
      h('dt', { text: 'Commit / applied' }), h('dd', { text: `${node.commitIndex} / ${node.appliedIndex}` }),
      h('dt', { text: 'Snapshot / log start / last' }), h('dd', { text: `${node.snapshotIndex} / ${node.logStartIndex} / ${node.lastLogIndex}` }),
      h('dt', { text: 'Heard from the leader' }), h('dd', { text: node.role === 'LEADER' ? 'this node leads' : node.leaderContactMillis === null ? 'never' : `${formatMillis(node.leaderContactMillis)} ago` }),
      h('dt', { text: 'Quorum' }), h('dd', { data: { testid: 'quorum-reason' }, text: `${ctx.status.current.quorum.status}: ${ctx.status.current.quorum.reason}` }),
      h('dt', { text: 'Membership change' }), h('dd', { text: node.changeInProgress ? 'in progress' : 'none' })));
    const leaderView = node.role === 'LEADER';
    // Re-drawn every second: the keyboard's place on a 'Make leader' button survives it.
    keepFocus(members, () => fill(members, table('Members of the configuration', [
      { label: 'Member', cell: (m) => h('span', {}, h('strong', { text: m.id }), m.id === node.nodeId ? ' (this node)' : '') },
      { label: 'Address', cell: (m) => h('span', { class: 'mono', text: m.address }) },
      { label: 'Role', cell: (m) => `${m.role.toLowerCase()}${m.voting ? '' : ', non-voting'}${m.promoting ? ', being promoted' : ''}` },
      { label: 'Match index', cell: (m) => (m.matchIndex ?? '—') },
      { label: 'Lag', cell: (m) => (m.lag ?? '—') },
      { label: 'Last contact', cell: (m) => (m.lastContactMillis === null || m.lastContactMillis === undefined ? '—' : `${formatMillis(m.lastContactMillis)} ago`) },
      ...(ctx.isAdmin ? [{ label: 'Actions', cell: (m) => (m.voting && m.id !== node.leaderId
        ? h('button', { type: 'button', class: 'quiet', data: { testid: 'transfer', id: m.id }, onclick: () => transfer(m.id), text: 'Make leader' }) : '') }] : []),
    ], node.members, { rowKey: (m) => m.id }),
    leaderView ? null : h('p', { class: 'hint', text: 'Match index, lag and last contact are known to the leader only: open the leader’s console for them.' })));
  }

  const loadHealth = throttle(async () => {
    if (!ctx.isAdmin) {
      fill(health, stateView('empty', 'Health components are shown to admin tokens.'));
      return;
    }
    try {
      showHealth((await ctx.api('/actuator/health')).body);
    } catch (problem) {
      // A node that is not ready answers 503 with the same health document: show its components.
      if (problem.body && problem.body.components) showHealth(problem.body);
      else fill(health, problemView(problem, 'Health'));
    }
  }, 2000);

  function showHealth(body) {
    fill(health, h('p', {}, 'Overall: ', h('span', { class: `badge badge-${body.status === 'UP' ? 'ok' : body.status}`, text: body.status })),
      table('Health components', [
        { label: 'Component', cell: ([name]) => name },
        { label: 'Status', cell: ([, value]) => h('span', { class: `badge badge-${value.status === 'UP' ? 'ok' : value.status}`, text: value.status }) },
        { label: 'Details', cell: ([, value]) => h('span', { class: 'mono', text: value.details ? JSON.stringify(value.details) : '' }) },
      ], Object.entries(body.components || {})));
  }

  async function loadVersion() {
    try {
      const answer = await ctx.api('/v1/cluster/version');
      const body = answer.body;
      fill(version, h('p', {}, `Cluster version ${body.clusterVersion}; this build supports up to ${body.supported}.`),
        table('Member versions', [
          { label: 'Member', cell: ([id]) => id },
          { label: 'Supports', cell: ([, value]) => (value === null ? 'unknown' : String(value)) },
        ], Object.entries(body.members || {})));
    } catch (problem) {
      fill(version, problemView(problem, 'Versions'));
    }
  }

  render();
  loadHealth();
  loadVersion();
  ctx.onStatus(() => {
    render();
    loadHealth();
    if (ctx.status.node) ctx.ready();
  });
  if (ctx.status.node) ctx.ready();
}
