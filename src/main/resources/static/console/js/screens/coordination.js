// Coordination: locks (holder, fencing token, waiters) and elections (leader, term, candidates) from
// GET /v1/coordination, read again (throttled) on each message of /v1/coordination/watch; and the leases
// from GET /v1/leases every 5 s, counted down in between, in a virtual list (a registry of 10,000 instances
// has as many leases). Writers may revoke a lease.

import { leaseReader } from '../leases.js';
import { confirmAction, fill, formatMillis, formatTime, h, notify, problemView, stateView, throttle } from '../ui.js';
import { VirtualList } from '../vlist.js';

export const title = 'Coordination';

/**
 * A table whose rows carry `data-*` attributes (test hooks), with a caption for screen readers. Not
 * ui.table: that one gives a row only `data-key`, and these rows carry `data-testid` and `data-name`.
 */
function dataTable(caption, columns, rows, rowData, empty) {
  if (!rows.length) return stateView('empty', empty);
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', { class: 'visually-hidden', text: caption }),
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col', text: column.label })))),
      h('tbody', {}, rows.map((row) => h('tr', { data: rowData(row) },
        columns.map((column) => h('td', {}, column.cell(row))))))));
}

function countOf(value) {
  if (Array.isArray(value)) return value.length;
  return typeof value === 'number' ? value : 0;
}

function queueList(entries, name) {
  if (!entries || !entries.length) return '—';
  return h('ol', { class: 'queue' }, entries.map((entry) =>
    h('li', {}, h('span', { class: 'mono', text: entry[name] }),
      ` (lease ${entry.lease}${entry.sinceRevision ? `, since revision ${entry.sinceRevision}` : ''})`)));
}

export function mount(root, ctx) {
  let disposed = false;
  let loaded = false;
  let seq = 0;
  let pending = false; // a change arrived that the tables do not show yet
  let shownRevision = 0;
  let live = false;
  let leaseState = 'loading'; // loading | ok | missing | failed
  let leases = []; // newest first
  let leaseById = new Map();
  let timers = new Map(); // lease id → {remainingMillis, at}
  const readLeases = leaseReader(ctx);

  const feedback = h('div', { class: 'feedback' });
  const liveView = h('span', { class: 'live', role: 'status', text: 'connecting…' });
  const locksView = h('div', {}, stateView('loading', 'Loading locks…'));
  const electionsView = h('div', {}, stateView('loading', 'Loading elections…'));
  const truncatedNote = h('p', { class: 'hint', hidden: true });
  const leaseFilter = h('select', { id: 'lease-filter' },
    h('option', { value: '', text: 'every lease' }),
    h('option', { value: 'bare', text: 'carrying no instance (keys, locks, elections)' }),
    h('option', { value: 'instances', text: 'carrying instances' }));
  const leaseCount = h('span', { data: { testid: 'lease-count' }, text: '0' });
  const leaseNote = h('p', { class: 'hint', text: 'Leases: loading…' });
  const leaseToolbar = h('div', { class: 'toolbar' },
    h('div', { class: 'field' }, h('label', { for: 'lease-filter', text: 'Show' }), leaseFilter),
    h('p', { class: 'counts-line' }, leaseCount, ' leases listed'));

  const leaseList = new VirtualList({
    label: 'Leases',
    className: 'leases',
    key: (lease) => lease.id,
    template: ctx.canWrite
      ? '7rem 5rem minmax(10rem, 1.4fr) 6rem 5rem 6rem 7rem'
      : '7rem 5rem minmax(10rem, 1.4fr) 6rem 5rem 6rem',
    rowAttributes: (lease) => ({ testid: 'lease-row', id: String(lease.id) }),
    empty: 'No lease matches.',
    columns: [
      { label: 'Lease', cell: (lease) => h('span', { class: 'mono', text: String(lease.id) }) },
      { label: 'TTL', className: 'num', cell: (lease) => `${lease.ttlSeconds} s` },
      { label: 'Granted', cell: (lease) => formatTime(lease.grantedAt) },
      { label: 'Left', className: 'num', ticking: true, cell: remainingText },
      { label: 'Keys', className: 'num', cell: (lease) => String(countOf(lease.keys)) },
      { label: 'Instances', className: 'num', cell: (lease) => String(countOf(lease.instances)) },
      ...(ctx.canWrite ? [{
        label: 'Actions',
        className: 'row-actions',
        cell: (lease) => h('button', { type: 'button', class: 'small danger', data: { testid: 'lease-revoke', id: String(lease.id), action: 'revoke' }, 'aria-label': `Revoke lease ${lease.id}`, text: 'Revoke' }),
      }] : []),
    ],
  });
  leaseList.element.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action="revoke"]');
    if (button) revoke(Number(button.dataset.id));
  });

  fill(root, ctx.header('Coordination'), feedback,
    h('p', { class: 'hint' }, 'Locks and elections update live: ', liveView),
    h('h2', { text: 'Locks' }), locksView,
    h('h2', { text: 'Elections' }), electionsView, truncatedNote,
    h('h2', { text: 'Leases' }), leaseNote, leaseToolbar, leaseList.element);

  function showRevision(revision) {
    if (!revision || revision <= shownRevision) return;
    shownRevision = revision;
    ctx.setRevision(revision);
  }

  // --- locks and elections -------------------------------------------------------------------------------

  async function loadCoordination() {
    const mine = ++seq;
    pending = false;
    try {
      const answer = await ctx.api('/v1/coordination');
      if (disposed || mine !== seq) return;
      const body = answer.body;
      renderLocks(body.locks || []);
      renderElections(body.elections || []);
      truncatedNote.hidden = !body.truncated;
      truncatedNote.textContent = body.truncated ? 'The node capped this answer: not every lock and election is shown.' : '';
      showRevision(body.revision || answer.revision);
    } catch (problem) {
      if (disposed || mine !== seq) return;
      const missing = problem.status === 404 || problem.status === 405;
      fill(locksView, missing
        ? stateView('error', 'Locks and elections are not available: this node does not serve GET /v1/coordination.')
        : problemView(problem, 'Locks and elections'));
      fill(electionsView, stateView('error', missing ? 'Not available (see above).' : 'Not read (see above).'));
    }
    if (!loaded) {
      loaded = true;
      ctx.ready();
    }
  }
  const refresh = throttle(() => { if (!disposed) loadCoordination(); }, 500);

  function renderLocks(locks) {
    fill(locksView, dataTable('Locks', [
      { label: 'Lock', cell: (lock) => h('span', { class: 'mono', text: lock.name }) },
      { label: 'Holder', cell: (lock) => (lock.holder ? h('span', { class: 'mono', text: lock.holder }) : '— (free)') },
      { label: 'Lease', cell: (lock) => (lock.lease ?? '—') },
      { label: 'Fencing token', cell: (lock) => (lock.fencingToken ?? '—') },
      { label: 'Waiters', cell: (lock) => queueList(lock.waiters, 'holder') },
    ], locks, (lock) => ({ testid: 'lock-row', name: lock.name }), 'No lock is held or waited for.'));
  }

  function renderElections(elections) {
    fill(electionsView, dataTable('Elections', [
      { label: 'Election', cell: (election) => h('span', { class: 'mono', text: election.name }) },
      { label: 'Leader', cell: (election) => (election.leader ? h('span', { class: 'mono', text: election.leader }) : '— (none)') },
      { label: 'Lease', cell: (election) => (election.lease ?? '—') },
      { label: 'Term', cell: (election) => (election.term ?? '—') },
      { label: 'Candidates waiting', cell: (election) => queueList(election.candidates, 'candidate') },
    ], elections, (election) => ({ testid: 'election-row', name: election.name }), 'No election has a leader or a candidate.'));
  }

  ctx.stream('/v1/coordination/watch', {
    resume: false,
    onMessage: (event, data) => {
      if (event === 'change') {
        pending = true;
        refresh();
      } else if (event === 'progress' && !pending && data && data.revision) {
        showRevision(data.revision); // nothing changed up to it since the tables were read
      } else if (event === 'revoked') {
        fill(feedback, problemView({ body: data }, 'Live updates stopped'));
      }
    },
    onState: (state, problem) => {
      live = state === 'open';
      liveView.textContent = { open: 'live', retrying: 'reconnecting…', ended: 'not live (read every 5 s)' }[state] || state;
      // Read again on every (re)connection: changes made while disconnected were not streamed.
      if (state === 'open') refresh();
      if (state === 'ended' && problem.status !== 404) fill(feedback, problemView(problem, 'Live updates stopped'));
    },
  });

  // --- leases --------------------------------------------------------------------------------------------

  function remainingText(lease) {
    const timer = timers.get(lease.id);
    if (!timer || timer.remainingMillis === null || timer.remainingMillis === undefined) return '—';
    return formatMillis(Math.max(0, timer.remainingMillis - (Date.now() - timer.at)));
  }

  async function loadLeases() {
    if (leaseState === 'missing') return;
    const read = await readLeases();
    if (disposed || !read) return; // a later read is under way: its answer is newer
    leaseState = read.state;
    if (read.state === 'ok') {
      const fresh = [];
      const nextTimers = new Map();
      for (const { lease, at } of read.leases.values()) {
        // Keep the object of a lease whose fields did not change, so its row (and a button under the
        // pointer) is not rebuilt every 5 s; the time left lives apart and counts down.
        const known = leaseById.get(lease.id);
        const same = known && known.ttlSeconds === lease.ttlSeconds && known.grantedAt === lease.grantedAt
          && countOf(known.keys) === countOf(lease.keys) && countOf(known.instances) === countOf(lease.instances);
        fresh.push(same ? known : lease);
        nextTimers.set(lease.id, { remainingMillis: lease.remainingMillis, at });
      }
      fresh.sort((a, b) => b.id - a.id);
      leases = fresh;
      leaseById = new Map(fresh.map((lease) => [lease.id, lease]));
      timers = nextTimers;
      leaseNote.textContent = `Read at revision ${read.revision} every 5 s; the time left is the leader’s timer, counted down in between (“—” where this node does not know it).`;
    } else {
      leaseNote.textContent = read.state === 'missing'
        ? 'Leases are not available: this node does not serve GET /v1/leases.'
        : `Leases could not be read (${read.problem.message}); retrying every 5 s.`;
    }
    // Without the endpoint there is no list to show, only the note saying so.
    leaseToolbar.hidden = leaseState === 'missing';
    leaseList.element.hidden = leaseState === 'missing';
    showLeases();
  }

  function showLeases() {
    const which = leaseFilter.value;
    const shown = which === 'instances' ? leases.filter((lease) => countOf(lease.instances) > 0)
      : which === 'bare' ? leases.filter((lease) => countOf(lease.instances) === 0)
        : leases;
    leaseCount.textContent = String(shown.length);
    leaseList.setItems(shown);
    leaseList.update();
  }
  leaseFilter.addEventListener('change', showLeases);

  async function revoke(id) {
    const lease = leaseById.get(id);
    const keys = lease ? countOf(lease.keys) : 0;
    const instances = lease ? countOf(lease.instances) : 0;
    const ok = await confirmAction({
      title: `Revoke lease ${id}?`,
      message: `This deletes its ${keys} key${keys === 1 ? '' : 's'} and deregisters its ${instances} instance${instances === 1 ? '' : 's'} at once; a lock or election held under it passes to the next in line.`,
      confirm: 'Revoke',
      danger: true,
    });
    if (!ok) return;
    try {
      const answer = await ctx.api(`/v1/leases/${encodeURIComponent(id)}`, { method: 'DELETE' });
      fill(feedback);
      const deleted = answer.body && answer.body.deletedKeys;
      notify(`Lease ${id} revoked${Array.isArray(deleted) || typeof deleted === 'number' ? `: ${countOf(deleted)} keys deleted` : ''}`);
      loadLeases();
      refresh();
    } catch (problem) {
      fill(feedback, problemView(problem, `Revoke lease ${id}`));
    }
  }

  // --- wiring --------------------------------------------------------------------------------------------

  ctx.every(5000, () => {
    loadLeases();
    if (!live) refresh(); // without the stream, read every 5 s
  });
  ctx.every(1000, () => {
    if (leaseState === 'ok' && leases.length) leaseList.update(); // the countdown
  });
  loadCoordination();
  loadLeases();

  return () => {
    disposed = true;
    leaseList.destroy();
  };
}
