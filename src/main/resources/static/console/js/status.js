// The node's status, live from GET /v1/cluster/watch (a message at least every second, and at once when
// the role, leader, term or quorum changes). Every screen shows it in the header; when the node loses
// quorum, or stops answering, a banner says so within two seconds.

import { stream } from './sse.js';
import { fill, h } from './ui.js';

/**
 * A node that sent nothing for this long (a status message comes every second, heartbeats more often)
 * is taken for not answering; checked every WATCHDOG_MILLIS, so the banner is up within two seconds.
 */
const SILENCE_MILLIS = 1500;
const WATCHDOG_MILLIS = 250;

export class NodeStatus {
  constructor() {
    this.current = null;
    this.receivedAt = 0;
    this.heardAt = 0;
    this.problem = null;
    this.listeners = new Set();
    this.connection = null;
    this.watchdog = null;
  }

  start() {
    this.connection = stream('/v1/cluster/watch', {
      resume: false,
      idleMillis: 5000,
      onActivity: () => {
        this.heardAt = Date.now();
      },
      onMessage: (event, data) => {
        if (event !== 'status') return;
        this.current = data;
        this.receivedAt = Date.now();
        this.problem = null;
        this.changed();
      },
      onState: (state, problem) => {
        if (state !== 'open') {
          this.problem = problem;
          this.changed();
        }
      },
    });
    this.watchdog = setInterval(() => this.changed(), WATCHDOG_MILLIS);
    // A tab shown again after its stream let go (sse.js) gets a moment to hear from the node anew.
    this.shown = () => {
      if (document.visibilityState === 'visible') this.heardAt = Date.now();
    };
    document.addEventListener('visibilitychange', this.shown);
  }

  stop() {
    if (this.connection) this.connection.close();
    clearInterval(this.watchdog);
    document.removeEventListener('visibilitychange', this.shown);
  }

  /**
   * 'ok'; 'lost' (no quorum: no leader, or a leader that hears no majority); 'lagging' (part of the
   * majority but not serving: catching up, or waiting to be added); 'offline' (nothing heard for a
   * while); or 'connecting'.
   */
  get state() {
    if (!this.current) return this.problem ? 'offline' : 'connecting';
    if (Date.now() - Math.max(this.heardAt, this.receivedAt) > SILENCE_MILLIS) return 'offline';
    return { UP: 'ok', OUT_OF_SERVICE: 'lagging' }[this.current.quorum.status] || 'lost';
  }

  get node() {
    return this.current ? this.current.node : null;
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed() {
    const state = this.state;
    const key = `${state}|${this.receivedAt}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.listeners.forEach((listener) => listener(this));
  }
}

/** Renders the header's status line and the quorum banner. */
export function renderStatus(status, line, banner) {
  const node = status.node;
  const state = status.state;
  line.dataset.quorum = state;
  if (!node) {
    fill(line, h('span', { class: 'pill pill-wait', text: state === 'offline' ? 'node not answering' : 'connecting…' }));
  } else {
    fill(line,
      h('span', { class: `pill pill-${state}`, text: { ok: 'quorum', lost: 'no quorum', lagging: 'not serving', offline: 'not answering' }[state] || state }),
      h('span', { class: 'fact' }, 'node ', h('strong', { text: node.nodeId })),
      h('span', { class: 'fact', data: { testid: 'role' } }, h('strong', { text: node.role.toLowerCase() })),
      h('span', { class: 'fact' }, 'leader ', h('strong', { text: node.leaderId || 'none' })),
      h('span', { class: 'fact' }, 'term ', h('strong', { text: node.term })),
      h('span', { class: 'fact' }, 'applied ', h('strong', { data: { testid: 'applied' }, text: node.appliedIndex })));
  }
  if (state === 'lost' || state === 'lagging' || state === 'offline') {
    const who = node ? node.nodeId : 'This node';
    const why = {
      lost: `${who} has no quorum: ${status.current && status.current.quorum.reason}. What this console shows may be stale, and writes will fail until a majority is back.`,
      lagging: `${who} is not serving: ${status.current && status.current.quorum.reason}. What this console shows may be behind the cluster.`,
      offline: `${who} has not reported its status for more than ${SILENCE_MILLIS / 1000} s${status.problem ? ` (${status.problem.message})` : ''}. Reconnecting…`,
    }[state];
    fill(banner, h('strong', { text: { lost: 'No quorum. ', lagging: 'Not serving. ', offline: 'Not answering. ' }[state] }), why);
    banner.dataset.state = state;
    banner.hidden = false;
  } else {
    banner.hidden = true;
    banner.dataset.state = state;
  }
}
