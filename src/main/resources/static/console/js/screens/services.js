// Services: every service with its counts by status; the open service's instances in a virtual list, live
// from its watch. Built for 10,000 instances and 100 changes a second: the list is read once per (re)open
// of the stream, each change is applied in O(log n) to a Map by id and an id-sorted array (binary search;
// a splice only when an instance comes or goes), and the DOM is written at most once per frame.
// Lease times come from GET /v1/leases every 5 s and count down in between; the mass-expiry guard's state
// from the `leases` health component (admin tokens only).

import { query } from '../api.js';
import { leaseReader } from '../leases.js';
import { confirmAction, fill, formatMillis, h, notify, problemView, stateView, throttle } from '../ui.js';
import { VirtualList } from '../vlist.js';

export const title = 'Services';

const SUMMARY_MILLIS = 200;

const STATUSES = ['UP', 'STARTING', 'DOWN', 'OUT_OF_SERVICE'];

/** Index of the first instance whose id is not below `id` (ids compare as code units, as sorted here). */
function search(array, id) {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (array[middle].id < id) low = middle + 1;
    else high = middle;
  }
  return low;
}

function byId(a, b) {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function bump(counts, key, delta) {
  const value = (counts.get(key) || 0) + delta;
  if (value) counts.set(key, value);
  else counts.delete(key);
}

/**
 * The open service's instances: a Map by id, every instance sorted by id (`all`), the ones the filter
 * keeps (`view`, the same array while nothing is filtered), and counts by status and by zone.
 */
class InstanceSet {
  constructor() {
    this.map = new Map();
    this.all = [];
    this.view = this.all;
    this.match = null;
    this.byStatus = new Map();
    this.byZone = new Map();
    this.revision = 0;
  }

  reset(instances, revision) {
    this.map = new Map();
    this.byStatus = new Map();
    this.byZone = new Map();
    instances.forEach((instance) => {
      this.prepare(instance);
      this.map.set(instance.id, instance);
      this.count(instance, 1);
    });
    this.all = [...this.map.values()].sort(byId);
    this.view = this.match ? this.all.filter(this.match) : this.all;
    this.revision = revision;
  }

  /** Lower-cased text the filter box searches: id, address:port, zone, tags. */
  prepare(instance) {
    instance.search = `${instance.id}\n${instance.address}:${instance.port}\n${instance.zone || ''}\n${(instance.tags || []).join('\n')}`.toLowerCase();
  }

  count(instance, delta) {
    bump(this.byStatus, instance.status, delta);
    bump(this.byZone, instance.zone || '', delta);
  }

  upsert(instance) {
    this.prepare(instance);
    const previous = this.map.get(instance.id);
    this.map.set(instance.id, instance);
    if (previous) {
      this.count(previous, -1);
      this.all[search(this.all, instance.id)] = instance;
    } else {
      this.all.splice(search(this.all, instance.id), 0, instance);
    }
    this.count(instance, 1);
    if (this.view === this.all) return;
    const at = search(this.view, instance.id);
    const there = at < this.view.length && this.view[at].id === instance.id;
    const keep = this.match(instance);
    if (there && keep) this.view[at] = instance;
    else if (there) this.view.splice(at, 1);
    else if (keep) this.view.splice(at, 0, instance);
  }

  remove(id) {
    const previous = this.map.get(id);
    if (!previous) return;
    this.map.delete(id);
    this.count(previous, -1);
    this.all.splice(search(this.all, id), 1);
    if (this.view === this.all) return;
    const at = search(this.view, id);
    if (at < this.view.length && this.view[at].id === id) this.view.splice(at, 1);
  }

  filter(match) {
    this.match = match;
    this.view = match ? this.all.filter(match) : this.all;
  }
}

export function mount(root, ctx) {
  let disposed = false;
  let services = [];
  let servicesLoaded = false;
  let servicesSeq = 0;
  let shownRevision = 0;
  let open = null; // the open service: {name, set, connection, live, listed, buffer, listSeq, ...}
  let leases = null; // Map lease id → {lease, at} (leases.js), or null while unknown
  let leaseState = 'loading'; // loading | ok | missing | failed
  const readLeases = leaseReader(ctx);
  let frame = 0;
  let summaryAt = 0;
  let summaryTimer = 0;

  const feedback = h('div', { class: 'feedback' });
  const guard = h('div', { class: 'card guard', data: { testid: 'guard-state' } },
    ctx.isAdmin ? 'Mass-expiry guard: loading…' : 'Mass-expiry guard: its state (the leases health component) is visible to admin tokens.');
  const serviceList = h('div', { class: 'svc-list-wrap' }, stateView('loading', 'Loading services…'));
  const detail = h('div', { class: 'svc-detail' }, stateView('empty', 'Choose a service to see its instances.'));
  fill(root, ctx.header('Services'), feedback, guard,
    h('div', { class: 'split svc-split' },
      h('div', {}, h('h2', { text: 'Services' }), serviceList),
      detail));

  // --- the services list ---------------------------------------------------------------------------------

  async function loadServices() {
    const seq = ++servicesSeq;
    try {
      const answer = await ctx.api('/v1/services');
      if (disposed || seq !== servicesSeq) return;
      services = answer.body.services || [];
      servicesLoaded = true;
      renderServices();
      if (!open) showRevision(answer.body.revision || answer.revision || 0);
    } catch (problem) {
      if (disposed || seq !== servicesSeq) return;
      fill(serviceList, problemView(problem, 'Services'));
    }
    settle();
  }
  const refreshServices = throttle(() => { if (!disposed) loadServices(); }, 1000);

  function showRevision(revision) {
    if (revision === shownRevision) return;
    shownRevision = revision;
    ctx.setRevision(revision);
  }

  function renderServices() {
    if (!servicesLoaded) return;
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.service : undefined;
    if (!services.length) {
      fill(serviceList, stateView('empty', 'No service has instances registered.'));
      return;
    }
    const items = services.map((service) => h('li', {},
      h('button', {
        type: 'button',
        class: 'svc-item',
        'aria-current': open && open.name === service.name ? 'true' : null,
        data: { testid: 'service-item', service: service.name },
        onclick: () => openService(service.name),
      },
      h('span', { class: 'svc-name', text: service.name }),
      h('span', { class: 'svc-counts' }, `${service.instances} instance${service.instances === 1 ? '' : 's'}`,
        STATUSES.filter((status) => service.byStatus && service.byStatus[status]).map((status) =>
          [' ', h('span', { class: `badge badge-${status}`, text: `${status} ${service.byStatus[status]}` })])))));
    fill(serviceList, h('ul', { class: 'svc-list', 'aria-label': 'Services' }, items));
    if (focused !== undefined) {
      const again = serviceList.querySelector(`button[data-service="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  // --- the open service ----------------------------------------------------------------------------------

  const filterInput = h('input', { type: 'search', id: 'instance-filter', placeholder: 'id, address, zone or tag', autocomplete: 'off', spellcheck: 'false' });
  const statusSelect = h('select', { id: 'instance-status' },
    h('option', { value: '', text: 'any status' }), STATUSES.map((status) => h('option', { value: status, text: status })));
  const countView = h('strong', { data: { testid: 'instance-count' }, text: '0' });
  const totalView = h('span');
  const statusCounts = h('p', { class: 'counts' });
  const zoneCounts = h('p', { class: 'counts' });
  const liveView = h('span', { class: 'live', role: 'status' });
  const leaseNote = h('p', { class: 'hint' });
  const listProblem = h('div');
  const list = new VirtualList({
    label: 'Instances',
    className: 'instances',
    key: (instance) => instance.id,
    // Text columns shrink (ellipsis, full text in a tooltip); status, times and buttons keep their width.
    template: `minmax(0, 2fr) minmax(0, 1.3fr) minmax(0, .9fr) 8.7rem minmax(0, .7fr) minmax(0, .9fr) 4.4rem 5.2rem${ctx.canWrite ? ' 10rem' : ''}`,
    rowAttributes: (instance) => ({ testid: 'instance-row', id: instance.id, status: instance.status }),
    empty: 'No instance matches.',
    columns: [
      { label: 'Id', cell: (instance) => clipped(instance.id, 'mono') },
      { label: 'Address', cell: (instance) => clipped(`${instance.address}:${instance.port}`, 'mono') },
      { label: 'Zone', cell: (instance) => clipped(instance.zone || '—') },
      { label: 'Status', cell: (instance) => h('span', { class: `badge badge-${instance.status}`, text: instance.status }) },
      { label: 'Tags', cell: (instance) => clipped(instance.tags && instance.tags.length ? instance.tags.join(', ') : '—') },
      { label: 'Metadata', cell: (instance) => clipped(metadataText(instance.metadata)) },
      { label: 'Lease left', className: 'num', ticking: true, cell: (instance) => leaseCell(instance, 'remaining') },
      { label: 'Heartbeat age', className: 'num', ticking: true, cell: (instance) => leaseCell(instance, 'age') },
      ...(ctx.canWrite ? [{ label: 'Actions', className: 'row-actions', cell: actionsCell }] : []),
    ],
  });

  /** Text that may be cut by its column: the whole of it in a tooltip. */
  function clipped(text, className) {
    return h('span', { class: className || null, title: text, text });
  }

  function metadataText(metadata) {
    const entries = Object.entries(metadata || {});
    return entries.length ? entries.map(([name, value]) => `${name}=${value}`).join(', ') : '—';
  }

  /** Time left on the instance's lease by the leader's timer, counted down since it was read; and ttl − that. */
  function leaseTimes(instance) {
    const known = leases && leases.get(instance.lease);
    if (!known || known.lease.remainingMillis === null || known.lease.remainingMillis === undefined) return null;
    const remaining = Math.max(0, known.lease.remainingMillis - (Date.now() - known.at));
    return { remaining, age: Math.max(0, known.lease.ttlSeconds * 1000 - remaining) };
  }

  function leaseCell(instance, which) {
    const times = leaseTimes(instance);
    return times ? formatMillis(times[which]) : '—';
  }

  function actionsCell(instance) {
    const id = instance.id;
    return [
      instance.status === 'OUT_OF_SERVICE'
        ? h('button', { type: 'button', class: 'small', data: { testid: 'instance-undrain', id, action: 'undrain' }, title: 'Back in service (UP)', 'aria-label': `Undrain ${id}`, text: 'Undrain' })
        : h('button', { type: 'button', class: 'small', data: { testid: 'instance-drain', id, action: 'drain' }, title: 'Drain (OUT_OF_SERVICE)', 'aria-label': `Drain ${id}`, text: 'Drain' }),
      h('button', { type: 'button', class: 'small danger', data: { testid: 'instance-deregister', id, action: 'deregister' }, 'aria-label': `Deregister ${id}`, text: 'Deregister' }),
    ];
  }

  // One listener for every row's buttons: rows are reused, and this allocates nothing per row.
  list.element.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (button && open) act(open, button.dataset.action, button.dataset.id);
  });

  const applyFilter = throttle(() => {
    if (!open || disposed) return;
    const text = filterInput.value.trim().toLowerCase();
    const status = statusSelect.value;
    open.set.filter(text || status
      ? (instance) => (!status || instance.status === status) && (!text || instance.search.includes(text))
      : null);
    changed();
  }, 150);
  filterInput.addEventListener('input', applyFilter);
  statusSelect.addEventListener('change', applyFilter);

  function openService(name) {
    if (open && open.name === name) return;
    if (open) open.connection.close();
    const target = { name, set: new InstanceSet(), connection: null, live: false, listed: false, buffer: [], listSeq: 0 };
    open = target;
    // The hash names the service so a reload or a shared link opens it; replaceState fires no hashchange,
    // so the screen is not mounted again.
    history.replaceState(null, '', `#/services/${encodeURIComponent(name)}`);
    renderServices();
    fill(detail, h('h2', { text: name }),
      h('div', { class: 'card svc-summary' },
        h('p', { class: 'counts-line' }, countView, ' of ', totalView, ' instances listed · ', liveView),
        statusCounts, zoneCounts),
      listProblem,
      h('div', { class: 'toolbar' },
        h('div', { class: 'field' }, h('label', { for: 'instance-filter', text: 'Filter' }), filterInput),
        h('div', { class: 'field' }, h('label', { for: 'instance-status', text: 'Status' }), statusSelect)),
      list.element, leaseNote);
    fill(feedback);
    fill(listProblem);
    showLeaseNote();
    list.setItems([]);
    liveView.textContent = 'connecting…';
    target.set.filter(null);
    applyFilter();
    target.connection = ctx.stream(`/v1/watch${query({ service: name })}`, {
      resume: false,
      onMessage: (event, data) => onMessage(target, event, data),
      onState: (state, problem) => onState(target, state, problem),
    });
    loadLeases();
  }

  function onState(target, state, problem) {
    if (target !== open || disposed) return;
    if (state === 'open') {
      // Every (re)connection starts at the node's current revision: list again, then apply what follows.
      target.live = true;
      liveView.textContent = 'live';
      relist(target);
      return;
    }
    target.live = false;
    target.ended = state === 'ended';
    liveView.textContent = state === 'ended' ? 'not live (listed every 5 s)' : 'reconnecting…';
    if (state === 'ended') fill(feedback, problemView(problem, 'Live updates stopped'));
    // Show the instances even when the stream cannot open (they are then not live).
    if (!target.listed && target.listSeq === 0) relist(target);
  }

  function onMessage(target, event, data) {
    if (target !== open || disposed) return;
    if (event === 'change') {
      if (target.buffer) target.buffer.push(data);
      else apply(target, data);
    } else if (event === 'progress') {
      if (!target.buffer && data.revision > target.set.revision) {
        target.set.revision = data.revision;
        scheduleFrame();
      }
    } else if (event === 'revoked') {
      fill(feedback, problemView({ body: data }, 'Live updates stopped'));
    } else if (event === 'compacted' || event === 'closed') {
      liveView.textContent = 'reconnecting…'; // the node ends the stream; the reader reconnects and lists again
    }
  }

  async function relist(target) {
    const seq = ++target.listSeq;
    target.buffer = [];
    try {
      const answer = await ctx.api(`/v1/services/${encodeURIComponent(target.name)}${query({ status: 'any', consistency: 'stale' })}`);
      if (target !== open || disposed || seq !== target.listSeq) return;
      target.set.reset(answer.body.instances || [], answer.body.revision || answer.revision || 0);
      const buffered = target.buffer;
      target.buffer = null;
      buffered.forEach((message) => apply(target, message));
      target.listed = true;
      fill(listProblem);
    } catch (problem) {
      if (target !== open || disposed || seq !== target.listSeq) return;
      target.buffer = null;
      fill(listProblem, problemView(problem, `Instances of ${target.name}`));
    }
    changed();
    settle();
  }

  /** One change message: each event of the open service, in O(log n); the DOM waits for the next frame. */
  function apply(target, message) {
    const set = target.set;
    if (message.revision <= set.revision) return; // already in the list this stream started from
    for (const event of message.events || []) {
      if (event.service !== target.name) continue;
      if (event.type === 'put' && event.instance) set.upsert(event.instance);
      else if (event.type === 'delete' || event.type === 'expire') set.remove(event.key.slice(target.name.length + 1));
    }
    set.revision = message.revision;
    changed();
    refreshServices();
  }

  function changed() {
    if (open) list.setItems(open.set.view);
    scheduleFrame();
  }

  /**
   * The summary (counts, revision) is written at most every SUMMARY_MILLIS: under a stream of changes a
   * write on every frame costs a style and layout pass each, and nobody reads counts that fast. The
   * rows themselves are the list's, drawn once per frame.
   */
  function scheduleFrame() {
    if (frame || summaryTimer) return;
    const wait = summaryAt + SUMMARY_MILLIS - Date.now();
    if (wait <= 0) {
      frame = requestAnimationFrame(renderFrame);
      return;
    }
    summaryTimer = setTimeout(() => {
      summaryTimer = 0;
      frame = requestAnimationFrame(renderFrame);
    }, wait);
  }

  /** The open service's counts and revision, written only when they changed. */
  function renderFrame() {
    frame = 0;
    summaryAt = Date.now();
    if (!open || disposed) return;
    const set = open.set;
    if (open.listed || set.revision) showRevision(set.revision);
    const shown = String(set.view.length);
    if (countView.textContent !== shown) countView.textContent = shown;
    const total = String(set.all.length);
    if (totalView.textContent !== total) totalView.textContent = total;
    showCounts(statusCounts, 'By status', STATUSES.filter((status) => set.byStatus.get(status))
      .map((status) => [status, `${status} ${set.byStatus.get(status)}`, `badge badge-${status}`]));
    showCounts(zoneCounts, 'By zone', [...set.byZone.keys()].sort()
      .map((zone) => [zone, `${zone || 'no zone'} ${set.byZone.get(zone)}`, 'badge']));
  }

  /**
   * Badges of counts: rebuilt when the set of keys changes, otherwise only their text is written (the
   * counts move on nearly every frame under load; new elements would cost a style and layout pass each).
   */
  function showCounts(container, label, entries) {
    const keys = entries.map(([key]) => key).join('\n');
    if (container.dataset.keys !== keys || !container.childElementCount) {
      container.dataset.keys = keys;
      fill(container, h('span', { class: 'counts-label', text: label }),
        entries.map(([key, text, className]) => h('span', { class: className, data: { key }, text })),
        entries.length ? null : '—');
      return;
    }
    entries.forEach(([, text], at) => {
      const badge = container.children[at + 1];
      if (badge.textContent !== text) badge.textContent = text;
    });
  }

  // --- actions -------------------------------------------------------------------------------------------

  async function act(target, action, id) {
    const path = `/v1/services/${encodeURIComponent(target.name)}/instances/${encodeURIComponent(id)}`;
    try {
      let answer;
      if (action === 'deregister') {
        const ok = await confirmAction({
          title: `Deregister ${id}?`,
          message: `The instance leaves ${target.name} at once; clients stop seeing it. It comes back only if it registers again.`,
          confirm: 'Deregister',
          danger: true,
        });
        if (!ok) return;
        answer = await ctx.api(path, { method: 'DELETE' });
        notify(answer.body.removed ? `${id} deregistered` : `${id} was not registered`);
      } else {
        const status = action === 'drain' ? 'OUT_OF_SERVICE' : 'UP';
        answer = await ctx.api(path, { method: 'PATCH', json: { status } });
        notify(`${id} is ${status}`);
      }
      fill(feedback);
      // A live stream brings the change in order with every other one; without it, show it now.
      if (target === open && !target.live && !target.buffer && answer.body.revision > target.set.revision) {
        if (action === 'deregister') target.set.remove(id);
        else target.set.upsert(answer.body.instance);
        changed();
      }
      refreshServices();
    } catch (problem) {
      fill(feedback, problemView(problem, `${action === 'deregister' ? 'Deregister' : action === 'drain' ? 'Drain' : 'Back in service'} ${id}`));
    }
  }

  // --- leases and the guard ------------------------------------------------------------------------------

  async function loadLeases() {
    if (!open || leaseState === 'missing') return;
    const read = await readLeases();
    if (disposed || !read) return; // a later read is under way: its answer is newer
    leaseState = read.state;
    // Missing: this node has no GET /v1/leases (an older build): lease columns stay '—'.
    leases = read.state === 'ok' ? read.leases : null;
    showLeaseNote();
    list.update();
  }

  function showLeaseNote() {
    leaseNote.textContent = {
      loading: 'Lease times: loading…',
      ok: 'Lease left and heartbeat age (TTL − lease left: each heartbeat restarts the leader’s timer at its full TTL) are read every 5 s and counted down in between; “—” where the node does not know them.',
      missing: 'Lease times are not available: this node does not serve GET /v1/leases.',
      failed: 'Lease times could not be read; retrying every 5 s.',
    }[leaseState];
  }

  async function loadGuard() {
    if (!ctx.isAdmin) return;
    let body;
    try {
      body = (await ctx.api('/actuator/health')).body;
    } catch (problem) {
      // A node that is not ready answers 503 with the same health document.
      if (problem.body && problem.body.components) body = problem.body;
      else {
        if (!disposed) fill(guard, problemView(problem, 'Mass-expiry guard'));
        return;
      }
    }
    if (disposed) return;
    const component = body && body.components ? body.components.leases : null;
    if (!component) {
      fill(guard, 'Mass-expiry guard: this node did not report the leases health component.');
      return;
    }
    const details = component.details || {};
    const tripped = component.status === 'DEGRADED' || details.expiryPaused;
    guard.dataset.status = component.status;
    fill(guard, h('strong', { text: 'Mass-expiry guard ' }),
      h('span', { class: `badge badge-${tripped ? 'DEGRADED' : 'ok'}`, text: component.status }), ' ',
      tripped
        ? `tripped: holding the expiry of ${details.heldInstances ?? '?'} instances’ leases for ${formatMillis(details.pausedForMillis)} so far (it lets go when heartbeats return, or after the maximum pause).`
        : 'lease expiry runs normally.',
      ` Trips counted by this node: ${details.guardTrips ?? 0}. The guard runs on the leader: a follower reports UP.`);
  }

  // --- wiring --------------------------------------------------------------------------------------------

  let settled = false;
  function settle() {
    if (settled || disposed) return;
    // Ready once the services are shown and, when one was named in the address, its instances too.
    if (!servicesLoaded && !serviceList.querySelector('.problem')) return;
    if (open && !open.listed && !listProblem.childElementCount) return;
    settled = true;
    ctx.ready();
  }

  ctx.every(5000, () => {
    if (open && open.ended) relist(open); // the stream gave up: the list is all there is
    loadLeases();
    loadGuard();
    refreshServices(); // services that are not open change too
  });
  ctx.every(1000, () => {
    if (open && leaseState === 'ok') list.update(); // the countdown
  });

  loadServices();
  loadGuard();
  if (ctx.params[0]) openService(ctx.params[0]);

  return () => {
    disposed = true;
    cancelAnimationFrame(frame);
    list.destroy();
  };
}
