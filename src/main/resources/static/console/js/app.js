// The shell: sign-in, the header's live status, navigation, and one screen at a time. Screens are ES
// modules under screens/, loaded when first shown; each gets a context (below) and returns a cleanup.

import { api, onUnauthorized, Problem, session } from './api.js';
import { stream } from './sse.js';
import { NodeStatus, renderStatus } from './status.js';
import { fill, h, problemView, stateView, throttle } from './ui.js';

const SCREENS = ['cluster', 'config', 'keys', 'services', 'coordination', 'audit', 'tokens'];
const ADMIN_SCREENS = new Set(['audit', 'tokens']);

const main = document.getElementById('screen');
const nav = document.getElementById('nav');
const statusLine = document.getElementById('status');
const banner = document.getElementById('quorum-banner');
const who = document.getElementById('who');
const signOutButton = document.getElementById('sign-out');

let status = null;
let whoAmI = null;
let cleanup = null;
let firstReady = true;
let statusUnsubscribe = null;
let routing = 0;

function roles() {
  return new Set(whoAmI ? whoAmI.roles : []);
}

/** Sign-in: a token pasted once, kept in session storage for this tab only. */
function showSignIn(problem) {
  teardown();
  nav.hidden = true;
  signOutButton.hidden = true;
  fill(who);
  fill(statusLine);
  banner.hidden = true;
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true });
  const feedback = h('div', { class: 'feedback' }, problem ? problemView(problem, 'Signed out') : null);
  const form = h('form', { id: 'sign-in', class: 'card narrow' },
    h('h1', { text: 'Sign in to Muster' }),
    h('p', { text: 'Paste a Muster API token. The console keeps it in this tab’s session storage only, and sends it as a bearer token with each request to this node.' }),
    h('div', { class: 'field' }, h('label', { for: 'token', text: 'Token' }), input),
    h('button', { type: 'submit', class: 'primary', text: 'Sign in' }),
    feedback);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    session.set(input.value.trim());
    try {
      await start();
    } catch (failure) {
      session.clear();
      fill(feedback, problemView(failure, 'Sign-in refused'));
      input.focus();
    }
  });
  fill(main, form);
  main.setAttribute('aria-busy', 'false');
  document.title = 'Sign in · Muster console';
  input.focus();
}

async function start() {
  const answer = await api('/v1/auth/whoami');
  whoAmI = answer.body;
  nav.hidden = false;
  signOutButton.hidden = false;
  nav.querySelectorAll('[data-admin]').forEach((link) => { link.parentElement.hidden = !roles().has('admin'); });
  fill(who, h('span', { class: 'fact' }, 'token ', h('strong', { text: whoAmI.name || '(security off)' }),
    ` · ${whoAmI.roles[0]}`));
  status = new NodeStatus();
  statusUnsubscribe = status.subscribe(() => renderStatus(status, statusLine, banner));
  status.start();
  route();
}

function teardown() {
  routing += 1;
  if (cleanup) cleanup();
  cleanup = null;
  if (status) status.stop();
  if (statusUnsubscribe) statusUnsubscribe();
  status = null;
}

function signOut(problem) {
  session.clear();
  whoAmI = null;
  if (location.hash) history.replaceState(null, '', location.pathname);
  showSignIn(problem);
}

async function route() {
  if (!whoAmI) return;
  const run = ++routing;
  const [, name = 'cluster', ...rest] = (location.hash || '#/cluster').split('/');
  const screen = SCREENS.includes(name) && (!ADMIN_SCREENS.has(name) || roles().has('admin')) ? name : 'cluster';
  if (cleanup) cleanup();
  cleanup = null;
  nav.querySelectorAll('a').forEach((link) => {
    if (link.dataset.screen === screen) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
  main.setAttribute('aria-busy', 'true');
  main.dataset.screen = screen;
  delete main.dataset.ready;
  fill(main, stateView('loading', 'Loading…'));
  let module;
  try {
    module = await import(`./screens/${screen}.js`);
  } catch (failure) {
    if (run === routing) fill(main, problemView(new Problem(0, { title: 'The screen did not load', detail: String(failure) })));
    return;
  }
  // Another route (or a sign-out) came while the module loaded: that one shows, this one never mounts.
  if (run !== routing || !whoAmI) return;
  const context = makeContext(screen, rest.map(decodeURIComponent));
  const root = h('section', { class: 'screen', 'aria-labelledby': 'screen-title' });
  fill(main, root);
  const unmount = module.mount(root, context);
  cleanup = () => {
    context.disposers.forEach((dispose) => dispose());
    if (typeof unmount === 'function') unmount();
  };
  document.title = `${module.title} · Muster console`;
}

/**
 * What a screen may use: who is signed in, the node's live status, streams that close with the
 * screen, and `header()`, which shows the screen's title, the revision it reflects and this node's role.
 */
function makeContext(screen, params) {
  const disposers = [];
  const context = {
    params,
    disposers,
    who: whoAmI,
    canWrite: roles().has('writer'),
    isAdmin: roles().has('admin'),
    status,
    api,
    stream(path, handlers) {
      const connection = stream(path, handlers);
      disposers.push(() => connection.close());
      return connection;
    },
    every(millis, fn) {
      const timer = setInterval(fn, millis);
      disposers.push(() => clearInterval(timer));
    },
    onStatus(listener) {
      disposers.push(status.subscribe(listener));
    },
    /**
     * Calls `fn` when the node applies a new revision, at most once a second: how state without a watch
     * of its own (tokens, the audit trail) stays live.
     */
    onApplied(fn) {
      let applied = 0;
      const throttled = throttle(fn, 1000);
      context.onStatus(() => {
        const node = status.node;
        if (node && node.appliedIndex !== applied) {
          applied = node.appliedIndex;
          throttled();
        }
      });
    },
    /** The screen's heading: title, the revision its data reflects, and whether this node leads. */
    header(title, ...actions) {
      const revision = h('span', { class: 'reflects', data: { testid: 'screen-revision' } }, 'loading…');
      const role = h('span', { class: 'role-note' });
      const showRole = () => {
        const node = status.node;
        role.textContent = node ? (node.role === 'LEADER' ? `${node.nodeId} leads` : `${node.nodeId} follows ${node.leaderId || 'no leader'}`) : '';
      };
      showRole();
      context.onStatus(showRole);
      context.setRevision = (value) => {
        revision.dataset.revision = String(value);
        revision.textContent = `reflects revision ${value}`;
      };
      return h('div', { class: 'screen-head' },
        h('h1', { id: 'screen-title', text: title }),
        h('p', { class: 'screen-meta' }, revision, ' · ', role),
        actions.length ? h('div', { class: 'actions' }, actions) : null);
    },
    setRevision() {},
    /** Marks the screen as showing data (tests and the performance mark wait for it). */
    ready() {
      if (main.dataset.screen !== screen) return;
      main.dataset.ready = 'true';
      main.setAttribute('aria-busy', 'false');
      if (firstReady) {
        firstReady = false;
        performance.mark('muster-console-ready');
      }
    },
    /**
     * The consistency for a read: linearizable while the node has its quorum, stale without (it would
     * only time out then; the banner says what is shown may be old).
     */
    consistency() {
      return status.state === 'ok' ? undefined : 'stale';
    },
  };
  return context;
}

// A 401 while signed in (the token was revoked, say) signs out; during sign-in the form shows it itself.
onUnauthorized((problem) => {
  if (whoAmI) signOut(problem);
});
window.addEventListener('hashchange', route);
signOutButton.addEventListener('click', () => signOut(null));
document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

/** A reload with a token: a refused token signs out; a node that does not answer now is tried again. */
function resume() {
  start().catch((problem) => {
    if (problem.status === 401) {
      signOut(problem);
      return;
    }
    teardown();
    fill(main, problemView(problem, 'The console could not start'),
      h('button', { type: 'button', class: 'primary', onclick: resume, text: 'Try again' }));
    main.setAttribute('aria-busy', 'false');
  });
}

if (session.token()) {
  resume();
} else {
  showSignIn(null);
}
