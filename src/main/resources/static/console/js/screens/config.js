// Configuration: the documents config/{application}/{profile} grouped by application, kept live by a
// watch of config/; a coloured viewer and, for writers, an editor; each document's history with a
// side-by-side diff and rollback; and configuration releases (draft, validate, gray, publish, abandon,
// roll back).
//
// Routes: #/config, #/config/{app}/{profile}, #/config/~new, #/config/~releases[/{id}]. No application
// or profile may start with '~' (the server refuses it), so those routes never hide a document. Moving
// between them inside the screen pushes the route without a hashchange, so the list and its watch stay
// open; Back and Forward fire hashchange, and the shell mounts the screen again at that route.
//
// This module is the screen: the document list, its watch and the routing between panes. The panes are
// in ../config/: documents.js (a document, its history, a new one) and releases.js (the releases, one
// release and its gray rule); they get what they share with the screen as an object (`screen` below).

import { query } from '../api.js';
import { hashOf, plural, PREFIX, shortType } from '../config/common.js';
import { docPane, newPane } from '../config/documents.js';
import { releasePane, releasesPane } from '../config/releases.js';
import { keepFocus } from '../focus.js';
import { confirmAction, field, fill, h, problemView, stateView, throttle } from '../ui.js';

export const title = 'Configuration';

// Drafting, changing, graying and abandoning a release write no key, so no watch reports them (the
// config/ watch sees a publish or a rollback only as the document writes it makes): the release views
// also read again on this interval.
const RELEASE_REFRESH_MILLIS = 5000;

export function mount(root, ctx) {
  const docs = new Map();
  const deleted = new Map();
  const releaseFilter = { app: '', state: '' };
  let route = routeOf(ctx.params);
  let pane = null;
  let disposed = false;
  let listed = false;
  let listRevision = 0;
  let listGeneration = 0;
  let buffered = [];
  let readySent = false;
  // What the panes (config/documents.js, config/releases.js) share with the screen; a value that changes
  // is read through a function.
  const screen = {
    ctx,
    docs,
    deleted,
    releaseFilter,
    listed: () => listed,
    disposed: () => disposed,
    go,
    follow,
    applications,
    applyLocal,
    forgetLocal,
  };

  const newButton = ctx.canWrite
    ? h('button', { type: 'button', class: 'primary', data: { testid: 'doc-new' }, text: 'New document', onclick: () => go({ kind: 'new' }) })
    : null;
  const releasesLink = h('a', { href: hashOf({ kind: 'releases' }), class: 'button', data: { testid: 'releases-link' }, text: 'Releases', onclick: follow({ kind: 'releases' }) });
  const liveNote = h('div', { class: 'live-note', role: 'status', hidden: true });
  const filterInput = h('input', { type: 'search', autocomplete: 'off', spellcheck: 'false', data: { testid: 'doc-filter' }, oninput: () => renderList() });
  const listBox = h('div', { class: 'doc-list', data: { testid: 'doc-list' } }, stateView('loading', 'Loading documents…'));
  const paneBox = h('div', { class: 'config-pane' });
  fill(root, ctx.header('Configuration', newButton, releasesLink), liveNote,
    h('div', { class: 'split config-split' },
      h('div', { class: 'card doc-nav', role: 'navigation', 'aria-label': 'Configuration documents' },
        field('Filter documents', filterInput, 'by application or profile'), listBox),
      paneBox));

  ctx.stream(`/v1/watch${query({ prefix: PREFIX })}`, {
    resume: false,
    onState: (state, problem) => {
      if (state === 'open') {
        liveNote.hidden = true;
        relist();
      } else {
        fill(liveNote, state === 'ended'
          ? problemView(problem, 'Live updates stopped; what this screen shows may be out of date')
          : h('p', {}, h('strong', { text: 'Live updates interrupted, reconnecting. ' }),
            'What this screen shows may be out of date', problem ? ` (${problem.message})` : '', '.'));
        liveNote.hidden = false;
        // Without a stream the list is still worth showing once, or the reason it cannot be.
        if (!listed && (state === 'ended' || !readySent)) relist();
      }
    },
    onMessage: (event, data) => {
      if (event === 'change') {
        if (listed) applyChange(data);
        else buffered.push(data);
      } else if (event === 'progress' && listed && data.revision > listRevision) {
        listRevision = data.revision;
        ctx.setRevision(listRevision);
      }
    },
  });
  ctx.every(RELEASE_REFRESH_MILLIS, () => {
    if (!document.hidden && pane && pane.onTick) pane.onTick();
  });
  const configChanged = throttle(() => {
    if (!disposed && pane && pane.onConfigChange) pane.onConfigChange();
  }, 1000);

  show(route, false);

  // ---------------------------------------------------------------------------------- list and watch

  /**
   * Lists every document (page by page), then applies the changes the watch sent meanwhile. The list
   * reflects its first page's revision; a change at or before it is already in it, and a change to a
   * key a later page read newer is skipped by its modRevision.
   */
  async function relist() {
    const generation = ++listGeneration;
    listed = false;
    buffered = [];
    try {
      const entries = [];
      let revision = 0;
      let after;
      do {
        const answer = await ctx.api(`/v1/kv${query({ prefix: PREFIX, limit: 1000, after, consistency: ctx.consistency() })}`);
        if (disposed || generation !== listGeneration) return;
        revision = revision || answer.body.revision;
        entries.push(...answer.body.items);
        after = answer.body.next;
      } while (after);
      docs.clear();
      deleted.clear();
      entries.forEach((entry) => docs.set(entry.key, entry));
      listRevision = revision;
      listed = true;
      ctx.setRevision(listRevision);
      const pending = buffered;
      buffered = [];
      pending.forEach((message) => applyChange(message, false));
      renderList();
      if (pane && pane.onDocs) pane.onDocs(null, listRevision);
    } catch (problem) {
      if (disposed || generation !== listGeneration) return;
      fill(listBox, problemView(problem, 'The documents did not load'),
        h('button', { type: 'button', text: 'Try again', onclick: () => relist() }));
    }
    if (!readySent) {
      readySent = true;
      ctx.ready();
    }
  }

  function applyChange({ revision, events }, render = true) {
    if (revision <= listRevision) return;
    const changed = new Set();
    for (const event of events) {
      const current = docs.get(event.key);
      if (current && current.modRevision >= revision) continue;
      if (event.type === 'put') {
        docs.set(event.key, event.entry);
        deleted.delete(event.key);
      } else {
        docs.delete(event.key);
        deleted.set(event.key, revision);
      }
      changed.add(event.key);
    }
    listRevision = revision;
    ctx.setRevision(revision);
    if (!render) return;
    if (changed.size) {
      renderList();
      if (pane && pane.onDocs) pane.onDocs(changed, revision);
    }
    configChanged();
  }

  /** What this screen's own write made, shown before the watch reports it (which then changes nothing). */
  function applyLocal(entry) {
    const current = docs.get(entry.key);
    if (current && current.modRevision >= entry.modRevision) return;
    docs.set(entry.key, entry);
    deleted.delete(entry.key);
    renderList();
    if (pane && pane.onDocs) pane.onDocs(new Set([entry.key]), entry.modRevision);
  }

  function forgetLocal(key, revision) {
    docs.delete(key);
    deleted.set(key, revision);
    renderList();
    if (pane && pane.onDocs) pane.onDocs(new Set([key]), revision);
  }

  /** Applications with their documents; `~schema` and `~policy` keys are noted, not listed. */
  function applications(needle = '') {
    const apps = new Map();
    for (const entry of docs.values()) {
      const name = nameOf(entry.key);
      if (!name) continue;
      if (!apps.has(name.app)) apps.set(name.app, { documents: [], extras: [] });
      const group = apps.get(name.app);
      if (name.profile.startsWith('~')) group.extras.push(name.profile.slice(1));
      else if (!needle || entry.key.slice(PREFIX.length).toLowerCase().includes(needle)) group.documents.push({ entry, ...name });
    }
    return [...apps.entries()].sort(([a], [b]) => a.localeCompare(b));
  }

  function renderList() {
    if (!listed) return;
    const needle = filterInput.value.trim().toLowerCase();
    const groups = applications(needle).filter(([, group]) => group.documents.length);
    const empty = docs.size === 0 || !applications().some(([, group]) => group.documents.length);
    keepFocus(listBox, () => fill(listBox, groups.length
      ? groups.map(([app, group]) => h('section', { class: 'doc-group' },
        h('h2', {}, h('span', { text: app }),
          group.extras.sort().map((extra) => h('span', { class: 'badge', title: `config/${app}/~${extra}`, text: extra }))),
        h('ul', { 'aria-label': `Profiles of ${app}` },
          group.documents.sort(byProfile).map(docItem))))
      : stateView('empty', empty
        ? `No configuration documents yet.${ctx.canWrite ? ' Create one with “New document”.' : ''}`
        : `No document matches “${filterInput.value.trim()}”.`)));
  }

  function docItem({ entry, app, profile }) {
    const target = { kind: 'doc', app, profile };
    const current = route.kind === 'doc' && route.app === app && route.profile === profile;
    return h('li', {}, h('a', {
      href: hashOf(target), class: 'doc-link', 'aria-current': current ? 'page' : null,
      data: { testid: 'doc-item', key: entry.key }, onclick: follow(target),
    }, h('span', { class: 'doc-profile', text: profile }), h('span', { class: 'doc-type', text: shortType(entry.contentType) })));
  }

  // ------------------------------------------------------------------------------------------ routing

  function show(next, focus) {
    if (pane && pane.dispose) pane.dispose();
    route = next;
    if (next.filter !== undefined) filterInput.value = next.filter;
    pane = makePane(next);
    fill(paneBox, pane.node);
    renderList();
    if (focus) pane.heading.focus();
  }

  async function go(next) {
    if (pane && pane.dirty && pane.dirty()) {
      const discard = await confirmAction({ title: 'Discard your changes?', message: 'What you changed has not been saved.', confirm: 'Discard', danger: true });
      if (!discard || disposed) return;
    }
    if (location.hash !== hashOf(next)) history.pushState(null, '', hashOf(next));
    show(next, true);
  }

  /** A link's click handler that stays inside the screen (a modified click opens a tab as usual). */
  function follow(next) {
    return (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      go(next);
    };
  }

  function makePane(next) {
    switch (next.kind) {
      case 'doc': return docPane(screen, next);
      case 'new': return newPane(screen, next);
      case 'releases': return releasesPane(screen);
      case 'release': return releasePane(screen, next);
      default: return homePane();
    }
  }

  // --------------------------------------------------------------------------------------------- home

  function homePane() {
    const heading = h('h2', { tabindex: -1, text: 'Configuration documents' });
    const counts = h('p', { data: { testid: 'doc-counts' } });
    const render = () => {
      if (!listed) return fill(counts, 'Loading…');
      const groups = applications().filter(([, group]) => group.documents.length);
      const total = groups.reduce((sum, [, group]) => sum + group.documents.length, 0);
      return fill(counts, `${plural(total, 'document')} in ${plural(groups.length, 'application')}.`);
    };
    render();
    return {
      heading,
      node: h('div', { class: 'card' }, heading, counts,
        h('p', {}, 'Each document is the key ', h('code', { text: 'config/{application}/{profile}' }),
          ': applications named {application} read it under the profile {profile}, and the profile ',
          h('code', { text: 'default' }), ' under every profile. Pick one to see it, its history and, with a writer token, to change it.'),
        h('p', {}, h('a', { href: hashOf({ kind: 'releases' }), onclick: follow({ kind: 'releases' }), text: 'Releases' }),
          ' change several documents together: drafted, checked against the application’s schema, served to a gray set of callers first, published as one write and rolled back.')),
      onDocs: render,
    };
  }

  return () => {
    disposed = true;
    if (pane && pane.dispose) pane.dispose();
  };
}

// --------------------------------------------------------------------------------------------- helpers

function routeOf([first, second]) {
  if (!first) return { kind: 'home' };
  if (first === '~new') return { kind: 'new' };
  if (first === '~releases') return second ? { kind: 'release', id: second } : { kind: 'releases' };
  if (!second) return { kind: 'home', filter: first };
  return { kind: 'doc', app: first, profile: second };
}

function nameOf(key) {
  const parts = key.split('/');
  return parts.length === 3 && `${parts[0]}/` === PREFIX ? { app: parts[1], profile: parts[2] } : null;
}

function byProfile(a, b) {
  if (a.profile === 'default' || b.profile === 'default') return a.profile === 'default' ? -1 : 1;
  return a.profile.localeCompare(b.profile);
}
