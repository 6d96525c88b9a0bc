// Configuration: the documents config/{application}/{profile} grouped by application, kept live by a
// watch of config/; a coloured viewer and, for writers, an editor; each document's history with a
// side-by-side diff and rollback; and configuration releases (draft, validate, gray, publish, abandon,
// roll back).
//
// Routes: #/config, #/config/{app}/{profile}, #/config/~new, #/config/~releases[/{id}]. No application
// or profile may start with '~' (the server refuses it), so those routes never hide a document. Moving
// between them inside the screen pushes the route without a hashchange, so the list and its watch stay
// open; Back and Forward fire hashchange, and the shell mounts the screen again at that route.

import { pathOf, query } from '../api.js';
import { diffLines } from '../diff.js';
import { highlight } from '../highlight.js';
import { confirmAction, field, fill, formatTime, h, notify, problemView, stateView, throttle } from '../ui.js';

export const title = 'Configuration';

const PREFIX = 'config/';
const CONTENT_TYPES = [
  ['application/yaml', 'YAML (application/yaml)'],
  ['text/x-java-properties', 'Properties (text/x-java-properties)'],
  ['application/json', 'JSON (application/json)'],
];
const SHORT_TYPES = {
  'application/yaml': 'yaml', 'application/x-yaml': 'yaml', 'text/yaml': 'yaml',
  'text/x-java-properties': 'properties', 'application/json': 'json',
};
const SEGMENT = /^[A-Za-z0-9._~:@=+-]+$/;
const RELEASE_STATES = ['draft', 'gray', 'published', 'abandoned'];
// Drafting, changing, graying and abandoning a release write no key, so no watch reports them (the
// config/ watch sees a publish or a rollback only as the document writes it makes): the release views
// also read again on this interval.
const RELEASE_REFRESH_MILLIS = 5000;
const MAX_DIFF_ROWS = 4000;

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
      case 'doc': return docPane(next);
      case 'new': return newPane(next);
      case 'releases': return releasesPane();
      case 'release': return releasePane(next);
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

  // ----------------------------------------------------------------------------------------- document

  function docPane({ app, profile }) {
    const key = `${PREFIX}${app}/${profile}`;
    let alive = true;
    let editor = null;
    const heading = h('h2', { tabindex: -1, class: 'doc-title' }, h('span', { class: 'muted', text: `${app} / ` }), profile);
    const facts = h('div');
    const tools = h('div', { class: 'toolbar' });
    const problems = h('div');
    const body = h('div');
    const history = historySection(key);
    const node = h('div', {}, h('div', { class: 'card', data: { testid: 'doc-card', key } }, heading, facts, tools, problems, body), history.node);

    function render() {
      const entry = docs.get(key);
      if (!listed) {
        fill(body, stateView('loading', 'Loading the document…'));
        return;
      }
      if (!entry) {
        fill(facts, h('p', { class: 'mono', text: key }));
        if (!editor) {
          fill(tools, ctx.canWrite ? h('button', { type: 'button', text: 'Create it', onclick: () => go({ kind: 'new', app, profile }) }) : null);
          fill(body, stateView('empty', deleted.has(key) ? `${key} was deleted at revision ${deleted.get(key)}.` : `There is no document ${key}.`));
        }
        if (editor) editor.check(entry);
        return;
      }
      fill(facts, h('dl', { class: 'facts' },
        h('dt', { text: 'Key' }), h('dd', { class: 'mono', text: key }),
        h('dt', { text: 'Content type' }), h('dd', { text: entry.contentType }),
        h('dt', { text: 'Revision' }), h('dd', { data: { testid: 'doc-revision' }, text: `${entry.modRevision} (version ${entry.version}, created at ${entry.createRevision})` }),
        entry.lease ? [h('dt', { text: 'Lease' }), h('dd', { text: entry.lease })] : null));
      if (editor) {
        editor.check(entry);
        return;
      }
      fill(tools,
        ctx.canWrite ? h('button', { type: 'button', class: 'primary', data: { testid: 'doc-edit' }, text: 'Edit', onclick: startEdit }) : null,
        ctx.canWrite ? h('button', { type: 'button', class: 'danger', data: { testid: 'doc-delete' }, text: 'Delete…', onclick: remove }) : null,
        h('button', { type: 'button', text: `Releases of ${app}`, onclick: () => { releaseFilter.app = app; go({ kind: 'releases' }); } }));
      fill(body, viewer(entry.value ?? decodeBase64(entry.valueBase64), entry.contentType, `Content of ${key}`, 'doc-view'));
    }

    function startEdit() {
      const entry = docs.get(key);
      if (!entry) return;
      fill(problems);
      const base = entry.modRevision;
      const form = documentForm(entry.contentType, entry.value ?? decodeBase64(entry.valueBase64), `Content of ${key}`);
      const stale = h('div', { role: 'status' });
      const save = h('button', { type: 'submit', class: 'primary', data: { testid: 'doc-save' }, text: 'Save' });
      const draft = h('button', { type: 'button', data: { testid: 'release-create' }, text: 'Draft a release…' });
      const cancel = h('button', { type: 'button', class: 'quiet', text: 'Cancel' });
      const formNode = h('form', { class: 'doc-form', 'aria-label': `Edit ${key}` }, form.fields, stale,
        h('p', { class: 'hint', text: `Saving writes the document now, if it is still at revision ${base}. A draft release holds the edit for review, gray and publish instead.` }),
        h('div', { class: 'actions' }, save, draft, cancel));
      editor = {
        dirty: form.dirty,
        check(current) {
          if (!current) {
            fill(stale, h('p', { class: 'warn', text: `${key} was deleted meanwhile: saving will be refused. Copy what you need.` }));
          } else if (current.modRevision !== base) {
            fill(stale, h('p', { class: 'warn' }, `${key} changed at revision ${current.modRevision} since you began editing revision ${base}: saving will be refused. `,
              h('button', { type: 'button', class: 'link', text: 'Drop my changes and edit the new version', onclick: () => { editor = null; startEdit(); } })));
          } else {
            fill(stale);
          }
        },
      };
      cancel.addEventListener('click', () => {
        editor = null;
        fill(problems);
        render();
        focusFirst(tools);
      });
      draft.addEventListener('click', async () => {
        const release = await draftRelease([{ app, profile, contentType: form.select.value, content: form.textarea.value }], `Update ${app}/${profile}`, problems);
        if (!release || !alive) return;
        editor = null;
        go({ kind: 'release', id: String(release.id) });
      });
      formNode.addEventListener('submit', async (event) => {
        event.preventDefault();
        fill(problems);
        save.disabled = true;
        const contentType = form.select.value;
        const content = form.textarea.value;
        try {
          const answer = await ctx.api(`/v1/kv/${pathOf(key)}`, { method: 'PUT', body: content, contentType, headers: { 'If-Match': `"${base}"` } });
          if (!alive) return;
          const written = answer.body;
          notify(`Saved ${key} at revision ${written.revision}`);
          editor = null;
          fill(tools);
          applyLocal({ key, value: content, contentType, createRevision: written.createRevision, modRevision: written.modRevision, version: written.version });
          render();
          focusFirst(tools);
        } catch (problem) {
          if (!alive) return;
          fill(problems, problemView(problem, 'Not saved'));
          if (problem.body && problem.body.line) placeCaret(form.textarea, problem.body.line, problem.body.column);
        } finally {
          save.disabled = false;
        }
      });
      fill(tools);
      fill(body, formNode);
      editor.check(entry);
      form.textarea.focus();
    }

    async function remove() {
      const entry = docs.get(key);
      if (!entry) return;
      const confirmed = await confirmAction({
        title: `Delete ${key}?`,
        message: `This deletes the document (revision ${entry.modRevision}) and its history. Applications reading it lose its properties at their next refresh.`,
        confirm: 'Delete', danger: true,
      });
      if (!confirmed || !alive) return;
      fill(problems);
      try {
        const answer = await ctx.api(`/v1/kv/${pathOf(key)}`, { method: 'DELETE', headers: { 'If-Match': `"${entry.modRevision}"` } });
        if (!alive) return;
        notify(`Deleted ${key} at revision ${answer.body.revision}`);
        forgetLocal(key, answer.body.revision);
        heading.focus();
      } catch (problem) {
        if (alive) fill(problems, problemView(problem, 'Not deleted'));
      }
    }

    /** The history of a listed document; none to read for one the list does not hold. */
    function syncHistory(revision) {
      if (listed && !docs.has(key)) history.absent(deleted.has(key) ? 'A deleted document’s history ends with it.' : 'No history: there is no such document.');
      else history.reload(revision);
    }

    render();
    syncHistory(0);
    return {
      heading,
      node,
      onDocs(changed, revision) {
        if (changed && !changed.has(key)) return;
        render();
        syncHistory(revision);
      },
      dirty: () => Boolean(editor && editor.dirty()),
      dispose() {
        alive = false;
        history.dispose();
      },
    };
  }

  function historySection(key) {
    const uid = Math.random().toString(36).slice(2, 9);
    const pick = { old: null, new: null };
    const chosen = { old: false, new: false };
    let alive = true;
    let versions = [];
    let next = null;
    let generation = 0;
    let wanted = 0;
    const list = h('div', {}, stateView('loading', 'Loading the history…'));
    const compareButton = h('button', { type: 'button', data: { testid: 'diff-compare' }, text: 'Compare', disabled: true, onclick: compare });
    const more = h('span');
    const problems = h('div');
    const output = h('div', { class: 'history-output' });
    const node = h('section', { class: 'card', 'aria-labelledby': `history-${uid}` },
      h('h3', { id: `history-${uid}`, text: 'History' }),
      h('p', { class: 'hint', text: 'The versions this node retains, newest first. Choose an old and a new version, then compare them side by side.' }),
      list, h('div', { class: 'actions history-actions' }, compareButton, more), problems, output);
    const reloadSoon = throttle(() => load(false), 300);

    async function load(append) {
      const run = ++generation;
      try {
        const answer = await ctx.api(`/v1/history/${pathOf(key)}${query({ limit: 50, before: append ? next : undefined, minRevision: wanted || undefined })}`);
        if (!alive || run !== generation) return;
        versions = append ? versions.concat(answer.body.versions) : answer.body.versions;
        next = answer.body.next ?? null;
        render();
      } catch (problem) {
        if (!alive || run !== generation) return;
        compareButton.disabled = true;
        fill(more);
        if (problem.status === 404 && !append) {
          versions = [];
          fill(list, stateView('empty', 'No history: the document does not exist at the revision this node’s view reflects (a deleted document’s history ends with it).'));
        } else {
          fill(list, problemView(problem, 'The history did not load'));
        }
      }
    }

    function render() {
      // Until someone picks, compare the two newest; a pick stands while its version is listed.
      const revisions = new Set(versions.map((version) => String(version.modRevision)));
      if (!chosen.old || !revisions.has(pick.old)) pick.old = versions[1] ? String(versions[1].modRevision) : null;
      if (!chosen.new || !revisions.has(pick.new)) pick.new = versions[0] ? String(versions[0].modRevision) : null;
      const entry = docs.get(key);
      keepFocus(list, () => fill(list, versions.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'history' },
        h('caption', { class: 'visually-hidden', text: `Versions of ${key}` }),
        h('thead', {}, h('tr', {}, ['Old', 'New', 'Revision', 'Version', 'Written', 'By', 'Type', 'Actions']
          .map((label) => h('th', { scope: 'col', text: label })))),
        h('tbody', {}, versions.map((version) => row(version, entry))))) : stateView('empty', 'No versions retained.')));
      compareButton.disabled = versions.length < 2;
      fill(more, next ? h('button', { type: 'button', text: 'Older versions', onclick: () => load(true) }) : null);
    }

    function row(version, entry) {
      const revision = String(version.modRevision);
      const current = Boolean(entry && entry.modRevision === version.modRevision);
      const radio = (side, label) => h('input', {
        type: 'radio', name: `${side}-${uid}`, value: revision, checked: pick[side] === revision,
        'aria-label': `${label} revision ${revision}`, data: { testid: `diff-${side}`, revision },
        onchange: () => {
          pick[side] = revision;
          chosen[side] = true;
        },
      });
      return h('tr', { data: { testid: 'history-item', revision } },
        h('td', {}, radio('old', 'Compare from')),
        h('td', {}, radio('new', 'Compare to')),
        h('td', {}, revision, current ? [' ', h('span', { class: 'badge badge-ok', text: 'current' })] : null),
        h('td', { text: version.version }),
        h('td', { text: formatTime(version.modifiedAt) }),
        h('td', { text: version.modifiedBy || '—' }),
        h('td', { text: shortType(version.contentType) }),
        h('td', { class: 'row-actions' },
          h('button', { type: 'button', class: 'link', 'aria-label': `Show revision ${revision}`, data: { testid: 'history-show', revision }, text: 'Show', onclick: () => showVersion(version) }),
          ctx.canWrite && entry && !current
            ? h('button', { type: 'button', class: 'link', 'aria-label': `Roll back to revision ${revision}`, data: { testid: 'history-rollback', revision }, text: 'Roll back…', onclick: () => rollback(version) })
            : null));
    }

    function compare() {
      const older = versions.find((version) => String(version.modRevision) === pick.old);
      const newer = versions.find((version) => String(version.modRevision) === pick.new);
      if (!older || !newer) {
        fill(output, stateView('empty', 'Choose an old and a new version first.'));
        return;
      }
      fill(output, diffView(textOf(older), textOf(newer),
        `revision ${older.modRevision} (version ${older.version})`, `revision ${newer.modRevision} (version ${newer.version})`,
        older.contentType !== newer.contentType ? `The content type changed too: ${older.contentType} → ${newer.contentType}.` : null));
    }

    function showVersion(version) {
      fill(output, h('div', { class: 'version-view' },
        h('h4', { text: `Revision ${version.modRevision} (version ${version.version}, ${formatTime(version.modifiedAt)}, ${version.contentType})` }),
        viewer(textOf(version), version.contentType, `Content of ${key} at revision ${version.modRevision}`, 'history-view')));
    }

    async function rollback(version) {
      const entry = docs.get(key);
      if (!entry) return;
      const confirmed = await confirmAction({
        title: `Roll back to revision ${version.modRevision}?`,
        message: `This writes version ${version.version} of ${key} (revision ${version.modRevision}, ${formatTime(version.modifiedAt)}) back as a new revision, if the document is still at revision ${entry.modRevision}.`,
        confirm: 'Roll back', danger: true,
      });
      if (!confirmed || !alive) return;
      fill(problems);
      try {
        const answer = await ctx.api(`/v1/rollback/${pathOf(key)}`, { method: 'POST', json: { toRevision: version.modRevision }, headers: { 'If-Match': `"${entry.modRevision}"` } });
        if (!alive) return;
        const written = answer.body;
        notify(`Rolled ${key} back to revision ${version.modRevision}: now revision ${written.revision}`);
        applyLocal({ key, value: version.value, valueBase64: version.valueBase64, contentType: version.contentType, createRevision: written.createRevision, modRevision: written.modRevision, version: written.version });
      } catch (problem) {
        if (alive) fill(problems, problemView(problem, 'Not rolled back'));
      }
    }

    return {
      node,
      /** Reads the history again, from a view that has applied `revision` (it may lag the list). */
      reload(revision) {
        wanted = Math.max(wanted, revision || 0);
        reloadSoon();
      },
      absent(text) {
        generation += 1;
        versions = [];
        next = null;
        compareButton.disabled = true;
        fill(more);
        fill(output);
        fill(list, stateView('empty', text));
      },
      dispose() {
        alive = false;
      },
    };
  }

  // ------------------------------------------------------------------------------------- new document

  function newPane({ app = '', profile = 'default' }) {
    const heading = h('h2', { tabindex: -1, text: 'New document' });
    if (!ctx.canWrite) {
      return { heading, node: h('div', { class: 'card' }, heading, stateView('empty', 'Creating documents needs a writer token; this one may only read.')) };
    }
    let alive = true;
    let done = false;
    const appInput = h('input', { type: 'text', value: app, autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', data: { testid: 'doc-new-app' } });
    const profileInput = h('input', { type: 'text', value: profile, autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', data: { testid: 'doc-new-profile' } });
    const form = documentForm('application/yaml', '', 'Content');
    const problems = h('div');
    const save = h('button', { type: 'submit', class: 'primary', data: { testid: 'doc-save' }, text: 'Create' });
    const draft = h('button', { type: 'button', data: { testid: 'release-create' }, text: 'Draft a release…' });
    const node = h('form', { class: 'card doc-form', 'aria-label': 'New document' }, heading,
      h('p', { class: 'hint', text: 'The document is the key config/{application}/{profile}. The profile “default” applies under every profile.' }),
      h('div', { class: 'name-fields' },
        field('Application', appInput, 'One segment: letters, digits and . _ ~ : @ = + -'),
        field('Profile', profileInput, 'One segment, e.g. default, dev, prod')),
      form.fields, problems,
      h('div', { class: 'actions' }, save, draft,
        h('button', { type: 'button', class: 'quiet', text: 'Cancel', onclick: () => go({ kind: 'home' }) })));

    const names = () => {
      const name = { app: appInput.value.trim(), profile: profileInput.value.trim() };
      const bad = [[name.app, appInput], [name.profile, profileInput]]
        .find(([value]) => !SEGMENT.test(value) || value.startsWith('~') || value === '.' || value === '..');
      if (!bad) return name;
      fill(problems, stateView('error', 'The application and the profile are each one segment of letters, digits and . _ ~ : @ = + - (not starting with ~).'));
      bad[1].focus();
      return null;
    };

    node.addEventListener('submit', async (event) => {
      event.preventDefault();
      fill(problems);
      const name = names();
      if (!name) return;
      const key = `${PREFIX}${name.app}/${name.profile}`;
      const contentType = form.select.value;
      const content = form.textarea.value;
      save.disabled = true;
      try {
        const answer = await ctx.api(`/v1/kv/${pathOf(key)}`, { method: 'PUT', body: content, contentType, headers: { 'If-None-Match': '*' } });
        if (!alive) return;
        const written = answer.body;
        notify(`Created ${key} at revision ${written.revision}`);
        done = true;
        applyLocal({ key, value: content, contentType, createRevision: written.createRevision, modRevision: written.modRevision, version: written.version });
        go({ kind: 'doc', ...name });
      } catch (problem) {
        if (!alive) return;
        fill(problems, problemView(problem, 'Not created'));
        if (problem.body && problem.body.line) placeCaret(form.textarea, problem.body.line, problem.body.column);
      } finally {
        save.disabled = false;
      }
    });
    draft.addEventListener('click', async () => {
      fill(problems);
      const name = names();
      if (!name) return;
      const release = await draftRelease([{ ...name, contentType: form.select.value, content: form.textarea.value }], `Create ${name.app}/${name.profile}`, problems);
      if (!release || !alive) return;
      done = true;
      go({ kind: 'release', id: String(release.id) });
    });

    return {
      heading,
      node,
      dirty: () => !done && form.dirty(),
      dispose() {
        alive = false;
      },
    };
  }

  /** Asks for a title and drafts a release of `documents`; the release, or null (problems shown). */
  async function draftRelease(documents, suggestedTitle, problems) {
    const titleInput = h('input', { type: 'text', value: suggestedTitle, data: { testid: 'release-title' } });
    const description = h('textarea', { class: 'short', rows: 3, data: { testid: 'release-description' } });
    const confirmed = await confirmAction({
      title: 'Draft a release',
      message: `The draft holds this edit of ${documents.map((doc) => `${doc.app}/${doc.profile}`).join(', ')}. A draft is never served and the document does not change now: review the draft, then put it in gray or publish it.`,
      confirm: 'Create draft',
      body: [field('Title', titleInput), field('Description (optional)', description)],
    });
    if (!confirmed || disposed) return null;
    try {
      const answer = await ctx.api('/v1/releases', {
        method: 'POST',
        json: { title: titleInput.value.trim(), description: description.value.trim() || undefined, documents },
      });
      notify(`Drafted release ${answer.body.release.id}`);
      return answer.body.release;
    } catch (problem) {
      fill(problems, problemView(problem, 'Draft not created'));
      return null;
    }
  }

  // ------------------------------------------------------------------------------------ release list

  function releasesPane() {
    let alive = true;
    let loaded = [];
    let next = null;
    let shown = '';
    let generation = 0;
    const heading = h('h2', { tabindex: -1, text: 'Releases' });
    const appSelect = h('select', { data: { testid: 'release-filter-app' } });
    const stateSelect = h('select', { data: { testid: 'release-filter-state' } },
      h('option', { value: '', text: 'Any state' }), RELEASE_STATES.map((state) => h('option', { value: state, text: state })));
    stateSelect.value = releaseFilter.state;
    const list = h('div', { data: { testid: 'release-list' } }, stateView('loading', 'Loading releases…'));
    const more = h('div', { class: 'actions' });
    const node = h('div', { class: 'card' }, heading,
      h('p', { class: 'hint', text: 'Newest first. Draft a release from a document’s editor. Drafts and gray rules write no key: this list reads them again every few seconds.' }),
      h('div', { class: 'toolbar', role: 'search' }, field('Application', appSelect), field('State', stateSelect)),
      list, more);

    const fillApps = () => {
      const apps = new Set(applications().map(([app]) => app));
      if (releaseFilter.app) apps.add(releaseFilter.app);
      fill(appSelect, h('option', { value: '', text: 'All applications' }),
        [...apps].sort().map((app) => h('option', { value: app, text: app })));
      appSelect.value = releaseFilter.app;
    };
    const reset = () => {
      releaseFilter.app = appSelect.value;
      releaseFilter.state = stateSelect.value;
      loaded = [];
      next = null;
      shown = '';
      fill(list, stateView('loading', 'Loading releases…'));
      load(false);
    };
    appSelect.addEventListener('change', reset);
    stateSelect.addEventListener('change', reset);

    async function load(append) {
      const run = ++generation;
      const limit = append ? 100 : Math.min(1000, Math.max(100, loaded.length));
      try {
        const answer = await ctx.api(`/v1/releases${query({ app: releaseFilter.app, state: releaseFilter.state, limit, after: append ? next : undefined })}`);
        if (!alive || run !== generation) return;
        loaded = append ? loaded.concat(answer.body.releases) : answer.body.releases;
        next = answer.body.next ?? null;
        render();
      } catch (problem) {
        if (!alive || run !== generation) return;
        shown = '';
        fill(list, problemView(problem, 'The releases did not load'));
      }
    }

    function render() {
      const json = JSON.stringify([loaded, next]);
      if (json === shown) return;
      shown = json;
      keepFocus(list, () => fill(list, loaded.length ? releaseTable(loaded)
        : stateView('empty', releaseFilter.app || releaseFilter.state ? 'No release matches these filters.' : 'No releases yet.')));
      fill(more, next ? h('button', { type: 'button', text: 'Older releases', onclick: () => load(true) }) : null);
    }

    fillApps();
    load(false);
    return {
      heading,
      node,
      onDocs: fillApps,
      onTick: () => load(false),
      onConfigChange: () => load(false),
      dispose() {
        alive = false;
      },
    };
  }

  function releaseTable(releases) {
    return h('div', { class: 'table-wrap' }, h('table', { class: 'releases' },
      h('caption', { class: 'visually-hidden', text: 'Releases, newest first' }),
      h('thead', {}, h('tr', {}, ['Release', 'State', 'Applications', 'Author', 'Created', 'Published', 'Gray rule']
        .map((label) => h('th', { scope: 'col', text: label })))),
      h('tbody', {}, releases.map((release) => {
        const id = String(release.id);
        return h('tr', { data: { testid: 'release-item', id } },
          h('td', {}, h('a', { href: hashOf({ kind: 'release', id }), data: { testid: 'release-link', id }, onclick: follow({ kind: 'release', id }) },
            h('span', { class: 'release-id', text: `#${id}` }), ' ', release.title)),
          h('td', {}, stateBadge(release.state),
            release.rollbackOf ? h('div', { class: 'hint', text: `rolls back #${release.rollbackOf}` }) : null,
            release.restoreOf ? h('div', { class: 'hint', text: `restores from #${release.restoreOf}` }) : null),
          h('td', { text: release.apps.join(', ') }),
          h('td', { text: release.author || '—' }),
          h('td', { text: formatTime(release.createdAt) }),
          h('td', { text: release.publishedRevision ? `revision ${release.publishedRevision} by ${release.publishedBy || '—'}, ${formatTime(release.publishedAt)}` : '—' }),
          h('td', { text: release.grayRule ? ruleText(release.grayRule) : '—' }));
      }))));
  }

  // ---------------------------------------------------------------------------------- release detail

  function releasePane({ id }) {
    const heading = h('h2', { tabindex: -1, text: `Release ${id}` });
    const back = h('p', { class: 'back' }, h('a', { href: hashOf({ kind: 'releases' }), onclick: follow({ kind: 'releases' }), text: '← All releases' }));
    if (!/^\d+$/.test(id)) {
      return { heading, node: h('div', {}, back, h('div', { class: 'card' }, heading, stateView('error', `“${id}” is not a release id.`))) };
    }
    let alive = true;
    let release = null;
    let reviewed = null;
    let shown = '';
    let generation = 0;
    let diffGeneration = 0;
    let diffShown = '';
    let against = 'base';
    let grayEditor = null;
    const summary = h('div', {}, stateView('loading', 'Loading the release…'));
    const stale = h('div', { role: 'status' });
    const actions = h('div', { class: 'toolbar release-actions' });
    const actionProblems = h('div');
    const graySlot = h('div');
    const validationCard = h('section', { class: 'card', hidden: true, 'aria-label': 'Validation', data: { testid: 'release-validation' } });
    const grayCard = h('section', { class: 'card', hidden: true, 'aria-label': 'Gray', data: { testid: 'release-gray-rule' } });
    const instances = h('div', { data: { testid: 'release-instances' } });
    const againstSelect = h('select', { data: { testid: 'release-diff-against' } },
      h('option', { value: 'base', text: 'its base (the documents it was drafted on)' }),
      h('option', { value: 'current', text: 'the documents as they are now' }));
    const diffBody = h('div', { data: { testid: 'release-diff' } });
    const diffCard = h('section', { class: 'card', hidden: true, 'aria-label': 'Changes' },
      h('h3', { text: 'Changes, property by property' }), field('Compare with', againstSelect), diffBody);
    const docsCard = h('section', { class: 'card', hidden: true, 'aria-label': 'Documents' });
    const node = h('div', {}, back,
      h('div', { class: 'card', data: { testid: 'release-detail', id } }, heading, stale, summary, actions, actionProblems, graySlot),
      validationCard, grayCard, diffCard, docsCard);
    againstSelect.addEventListener('change', () => {
      against = againstSelect.value;
      diffShown = '';
      fill(diffBody, stateView('loading', 'Loading the changes…'));
      loadDiff();
    });

    async function load() {
      const run = ++generation;
      try {
        const answer = await ctx.api(`/v1/releases/${id}`);
        if (!alive || run !== generation) return;
        if (JSON.stringify(answer.body) === shown) return;
        if (grayEditor && grayEditor.dirty() && release && answer.body.revision !== release.revision) {
          fill(stale, h('p', { class: 'warn' },
            `This release changed (revision ${release.revision} → ${answer.body.revision}) while you edit its gray rule: applying the rule would be refused. `,
            h('button', { type: 'button', class: 'link', text: 'Drop the rule and show the new revision', onclick: () => { closeGray(); apply(answer); } })));
          return;
        }
        apply(answer);
      } catch (problem) {
        if (!alive || run !== generation) return;
        shown = '';
        release = null;
        fill(summary, problemView(problem, 'The release did not load'));
        fill(actions);
        [validationCard, grayCard, diffCard, docsCard].forEach((card) => { card.hidden = true; });
      }
    }

    /** Shows a release as an answer gave it; its ETag is the revision a gray or publish reviews. */
    function apply(answer) {
      release = answer.body;
      shown = JSON.stringify(release);
      const etag = answer.headers && answer.headers.get('ETag');
      reviewed = etag ? etag.replace(/^W\//, '').replace(/"/g, '') : String(release.revision);
      if (grayEditor && !grayEditor.dirty()) closeGray();
      fill(stale);
      fill(heading, `Release ${release.id}: `, release.title);
      const published = release.published;
      fill(summary,
        h('p', { class: 'release-state' }, stateBadge(release.state),
          release.rollbackOf ? [' rolls back ', releaseLink(release.rollbackOf)] : null,
          release.restoreOf ? [' restores a document from ', releaseLink(release.restoreOf)] : null),
        release.description ? h('p', { class: 'release-description', text: release.description }) : null,
        h('dl', { class: 'facts' },
          h('dt', { text: 'Author' }), h('dd', { text: release.author || '—' }),
          h('dt', { text: 'Created' }), h('dd', { text: formatTime(release.createdAt) }),
          h('dt', { text: 'Revision' }), h('dd', { data: { testid: 'release-revision' }, text: reviewed }),
          h('dt', { text: 'Documents' }), h('dd', {}, release.documents.map((doc, index) => [index ? ', ' : '', docLink(doc)])),
          published ? [h('dt', { text: 'Published' }), h('dd', { data: { testid: 'release-published' } },
            `revision ${published.revision} by ${published.by || '—'}, ${formatTime(published.at)}`,
            published.comment ? [h('br'), `“${published.comment}”`] : null,
            published.emergency ? [h('br'), h('strong', { text: 'Emergency: ' }), published.emergency] : null)] : null,
          release.gray ? [h('dt', { text: 'Gray' }), h('dd', { text: `since ${formatTime(release.gray.at)}, by ${release.gray.by || '—'}` })] : null));
      renderActions();
      renderValidation(release.validation, false);
      renderGray();
      renderDocuments();
      loadDiff();
    }

    function renderActions() {
      if (!ctx.canWrite) return fill(actions);
      const open = release.state === 'draft' || release.state === 'gray';
      const button = (testid, text, onclick, kind) => h('button', { type: 'button', class: kind, data: { testid }, text, onclick });
      return fill(actions,
        open ? button('release-validate', 'Validate', validate) : null,
        open ? button('release-gray', release.state === 'gray' ? 'Change the gray rule…' : 'Put in gray…', openGray) : null,
        open ? button('release-publish', 'Publish…', publish, 'primary') : null,
        open ? button('release-rebase', 'Rebase…', rebase) : null,
        open ? button('release-abandon', 'Abandon…', abandon, 'danger') : null,
        release.state === 'published' ? button('release-rollback', 'Roll back…', rollbackRelease, 'danger') : null);
    }

    async function act(context, request, success) {
      fill(actionProblems);
      const buttons = [...actions.querySelectorAll('button'), ...graySlot.querySelectorAll('button[type=submit]')];
      buttons.forEach((button) => { button.disabled = true; });
      try {
        const answer = await request();
        if (alive) success(answer);
      } catch (problem) {
        if (!alive) return;
        fill(actionProblems, problemView(problem, context), hintFor(problem));
        actionProblems.scrollIntoView({ block: 'nearest' });
      } finally {
        buttons.forEach((button) => { button.disabled = false; });
      }
    }

    function validate() {
      act('Not validated', () => ctx.api(`/v1/releases/${id}/validate`, { method: 'POST' }), (answer) => {
        renderValidation(answer.body.validation, true);
        notify(`Release ${id}: validation ${answer.body.validation.status}`);
      });
    }

    async function publish() {
      const comment = h('input', { type: 'text', data: { testid: 'release-comment' } });
      const force = h('input', { type: 'checkbox', data: { testid: 'release-force' } });
      const emergency = ctx.isAdmin ? h('input', { type: 'text', data: { testid: 'release-emergency' } }) : null;
      const confirmed = await confirmAction({
        title: `Publish release ${id}?`,
        message: `This writes its ${plural(release.documents.length, 'document')} at one revision; applications reading them get the new content at their next refresh. It publishes revision ${reviewed} of the release, as shown here.`,
        confirm: 'Publish',
        body: [field('Comment (optional)', comment), checkbox(force, 'Force: publish even if a document moved since its base, overwriting that write'),
          emergency ? field('Emergency reason (admins only)', emergency, 'Lifts four-eyes for an author; recorded with the release') : null],
      });
      if (!confirmed || !alive) return;
      act('Not published', () => ctx.api(`/v1/releases/${id}/publish`, {
        method: 'POST',
        json: { comment: comment.value.trim() || undefined, force: force.checked || undefined },
        headers: { 'If-Match': `"${reviewed}"`, ...emergencyHeader(emergency) },
      }), (answer) => {
        notify(`Published release ${id} at revision ${answer.body.published ? answer.body.published.revision : answer.revision}`);
        apply(answer);
      });
    }

    async function rebase() {
      const confirmed = await confirmAction({
        title: `Rebase release ${id}?`,
        message: 'Takes every document’s current revision as its base. Review the changes afterwards: the writes made since the draft are what this release now overwrites.',
        confirm: 'Rebase',
      });
      if (!confirmed || !alive) return;
      act('Not rebased', () => ctx.api(`/v1/releases/${id}/rebase`, { method: 'POST' }), (answer) => {
        notify(`Rebased release ${id}`);
        apply({ body: answer.body.release, headers: answer.headers });
      });
    }

    async function abandon() {
      const confirmed = await confirmAction({
        title: `Abandon release ${id}?`,
        message: release.state === 'gray' ? 'Gray ends: every caller gets the current documents again. Abandoning is final.' : 'Abandoning is final; the documents do not change.',
        confirm: 'Abandon', danger: true,
      });
      if (!confirmed || !alive) return;
      act('Not abandoned', () => ctx.api(`/v1/releases/${id}/abandon`, { method: 'POST' }), (answer) => {
        notify(`Abandoned release ${id}`);
        apply(answer);
      });
    }

    async function rollbackRelease() {
      const comment = h('input', { type: 'text', data: { testid: 'release-comment' } });
      const force = h('input', { type: 'checkbox', data: { testid: 'release-force' } });
      const confirmed = await confirmAction({
        title: `Roll back release ${id}?`,
        message: 'Publishes, as a new release, what its documents held just before it was published (a document it created is deleted).',
        confirm: 'Roll back', danger: true,
        body: [field('Comment (optional)', comment), checkbox(force, 'Force: roll back even if a document changed since this release wrote it')],
      });
      if (!confirmed || !alive) return;
      act('Not rolled back', () => ctx.api(`/v1/releases/${id}/rollback`, {
        method: 'POST', json: { comment: comment.value.trim() || undefined, force: force.checked || undefined },
      }), (answer) => {
        notify(`Rolled back release ${id}: release ${answer.body.id}`);
        go({ kind: 'release', id: String(answer.body.id) });
      });
    }

    function openGray() {
      const rule = (release.gray && release.gray.rule) || {};
      const instancesInput = h('textarea', { class: 'short', rows: 3, spellcheck: 'false', data: { testid: 'gray-instances' } });
      instancesInput.value = (rule.instances || []).join('\n');
      const ipsInput = h('textarea', { class: 'short', rows: 3, spellcheck: 'false', data: { testid: 'gray-ips' } });
      ipsInput.value = (rule.ips || []).join('\n');
      const labelsInput = h('textarea', { class: 'short', rows: 3, spellcheck: 'false', data: { testid: 'gray-labels' } });
      labelsInput.value = Object.entries(rule.labels || {}).map(([name, value]) => `${name}=${value}`).join('\n');
      const percentInput = h('input', { type: 'number', min: 0, max: 100, step: 1, data: { testid: 'gray-percent' } });
      percentInput.value = rule.percent ?? '';
      const emergency = ctx.isAdmin ? h('input', { type: 'text', data: { testid: 'gray-emergency' } }) : null;
      const local = h('div');
      const inputs = [instancesInput, ipsInput, labelsInput, percentInput];
      const initial = inputs.map((input) => input.value).join('\u0000');
      const verb = release.state === 'gray' ? 'Change the rule' : 'Start gray';
      const form = h('form', { class: 'gray-form', 'aria-label': 'Gray rule' },
        h('h3', { text: release.state === 'gray' ? 'Change the gray rule' : 'Put in gray' }),
        h('p', { class: 'hint', text: `Callers the rule matches get this release’s documents, everyone else the current ones. A caller matches when every part given holds; leave a part empty to leave it out. This applies revision ${reviewed} of the release, as shown.` }),
        h('div', { class: 'gray-fields' },
          field('Instance ids, one a line', instancesInput),
          field('IP addresses, one a line', ipsInput),
          field('Labels, name=value, one a line', labelsInput, 'Registered metadata, zone=…, tag.<tag>=true, or X-Muster-Labels'),
          field('Percent of instance ids (0–100)', percentInput, 'Empty: no percentage')),
        emergency ? field('Emergency reason (admins only)', emergency, 'Lifts four-eyes for an author; recorded with the release') : null,
        local,
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'primary', data: { testid: 'gray-apply' }, text: verb }),
          h('button', { type: 'button', class: 'quiet', text: 'Cancel', onclick: closeGray })));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        fill(local);
        const parsed = parseRule(instancesInput.value, ipsInput.value, labelsInput.value, percentInput.value);
        if (parsed.error) {
          fill(local, stateView('error', parsed.error));
          labelsInput.focus();
          return;
        }
        act('Gray refused', () => ctx.api(`/v1/releases/${id}/gray`, {
          method: 'POST', json: { rule: parsed.rule }, headers: { 'If-Match': `"${reviewed}"`, ...emergencyHeader(emergency) },
        }), (answer) => {
          notify(`Release ${id} is in gray`);
          closeGray();
          apply(answer);
        });
      });
      grayEditor = { dirty: () => inputs.map((input) => input.value).join('\u0000') !== initial };
      fill(graySlot, form);
      instancesInput.focus();
    }

    function closeGray() {
      grayEditor = null;
      fill(graySlot);
    }

    function renderValidation(validation, fresh) {
      validationCard.hidden = false;
      const problems = validation.problems || [];
      fill(validationCard, h('h3', { text: 'Validation' }),
        h('p', {}, h('span', { class: `badge badge-${validation.status}`, data: { testid: 'release-validation-status' }, text: validation.status }), ' ',
          fresh ? 'checked just now against the current schemas and policies (nothing is recorded)' : 'as recorded when the release was last drafted, changed or published',
          validation.schemaDigest ? [' · schema ', h('code', { text: validation.schemaDigest })] : null),
        problems.length ? h('div', { class: 'table-wrap' }, h('table', {},
          h('caption', { class: 'visually-hidden', text: 'Validation problems' }),
          h('thead', {}, h('tr', {}, ['Document', 'Property', 'Severity', 'Message', 'Suggestion'].map((label) => h('th', { scope: 'col', text: label })))),
          h('tbody', {}, problems.map((problem) => h('tr', {},
            h('td', { class: 'mono', text: problem.document }),
            h('td', { class: 'mono', text: problem.key }),
            h('td', {}, h('span', { class: `badge badge-${problem.severity}`, text: problem.severity })),
            h('td', { text: problem.message }),
            h('td', { text: problem.suggestion || '' }))))))
          : h('p', { class: 'hint', text: validation.status === 'skipped' ? 'No schema applies, or validation is off for these applications.' : 'No problems.' }));
    }

    function renderGray() {
      if (!release.gray) {
        grayCard.hidden = true;
        return;
      }
      grayCard.hidden = false;
      fill(grayCard, h('h3', { text: 'Gray rule' }), ruleFacts(release.gray.rule),
        release.state === 'gray' ? [
          h('h4', { text: 'Registered instances it matches now' }),
          h('p', { class: 'hint', text: 'Callers that send an instance id or labels of their own may match without being listed.' }),
          instances,
          h('button', { type: 'button', text: 'Read again', onclick: loadInstances })] : null);
      if (release.state === 'gray') loadInstances();
    }

    async function loadInstances() {
      try {
        const answer = await ctx.api(`/v1/releases/${id}/instances`);
        if (!alive) return;
        const rows = answer.body.instances;
        fill(instances, rows.length ? h('div', { class: 'table-wrap' }, h('table', {},
          h('caption', { class: 'visually-hidden', text: 'Matching instances' }),
          h('thead', {}, h('tr', {}, ['Service', 'Instance', 'Address', 'Labels', 'Bucket'].map((label) => h('th', { scope: 'col', text: label })))),
          h('tbody', {}, rows.map((row) => h('tr', { data: { testid: 'release-instance', id: row.id } },
            h('td', { text: row.service }),
            h('td', { class: 'mono', text: row.id }),
            h('td', { class: 'mono', text: `${row.address}:${row.port}` }),
            h('td', { class: 'mono', text: Object.entries(row.labels || {}).map(([name, value]) => `${name}=${value}`).join(', ') }),
            h('td', { text: row.bucket ?? '—' }))))))
          : stateView('empty', 'No registered instance matches the rule now.'));
      } catch (problem) {
        if (alive) fill(instances, problemView(problem, 'The matching instances did not load'));
      }
    }

    async function loadDiff() {
      diffCard.hidden = false;
      const run = ++diffGeneration;
      if (!diffShown) fill(diffBody, stateView('loading', 'Loading the changes…'));
      try {
        const answer = await ctx.api(`/v1/releases/${id}/diff${query({ against })}`);
        if (!alive || run !== diffGeneration) return;
        const json = JSON.stringify(answer.body);
        if (json === diffShown) return;
        diffShown = json;
        fill(diffBody, answer.body.length ? answer.body.map(documentDiff) : stateView('empty', 'No documents.'));
      } catch (problem) {
        if (!alive || run !== diffGeneration) return;
        diffShown = '';
        fill(diffBody, problemView(problem, 'The changes did not load'));
      }
    }

    function documentDiff(doc) {
      const rows = [
        ...Object.entries(doc.added || {}).map(([name, value]) => ({ name, change: 'added', from: '', to: valueText(value) })),
        ...Object.entries(doc.removed || {}).map(([name, value]) => ({ name, change: 'removed', from: valueText(value), to: '' })),
        ...Object.entries(doc.changed || {}).map(([name, change]) => ({ name, change: 'changed', from: valueText(change.from), to: valueText(change.to) })),
      ].sort((a, b) => a.name.localeCompare(b.name));
      return h('div', { class: 'release-doc-diff', data: { key: doc.key } },
        h('h4', {}, `${doc.app} / ${doc.profile} `, h('span', { class: `badge badge-${doc.change}`, text: doc.change })),
        !doc.baseRetained && against === 'base'
          ? h('p', { class: 'hint', text: 'Its base is no longer in the key’s history, so every property shows as added: compare with the documents as they are now instead.' })
          : null,
        rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'prop-diff' },
          h('caption', { class: 'visually-hidden', text: `Property changes of ${doc.key}` }),
          h('thead', {}, h('tr', {}, ['Property', 'Change', 'Before', 'After'].map((label) => h('th', { scope: 'col', text: label })))),
          h('tbody', {}, rows.map((row) => h('tr', { class: `prop-${row.change}` },
            h('td', { class: 'mono', text: row.name }),
            h('td', { text: row.change }),
            h('td', { class: 'mono', text: row.from }),
            h('td', { class: 'mono', text: row.to }))))))
          : h('p', { class: 'hint', text: 'No property changes.' }),
        Object.keys(doc.removed || {}).length
          ? h('p', { class: 'hint', text: 'A removed property stays in a running application after a refresh, until a restart or an @RefreshScope bean rebinds it.' })
          : null);
    }

    function renderDocuments() {
      const open = new Set([...docsCard.querySelectorAll('details[open]')].map((details) => details.dataset.key));
      docsCard.hidden = false;
      fill(docsCard, h('h3', { text: `Documents (${release.documents.length})` }),
        release.documents.map((doc) => h('details', { class: 'release-doc', open: open.has(doc.key), data: { key: doc.key } },
          h('summary', {}, h('strong', { text: `${doc.app} / ${doc.profile}` }),
            ` · ${doc.delete ? 'deleted by this release' : doc.contentType} · base revision ${doc.baseModRevision || 'none (new)'}`),
          doc.delete ? h('p', { text: 'This release deletes the document.' })
            : viewer(doc.content, doc.contentType, `Content of ${doc.key} in release ${id}`, 'release-doc-view'),
          h('p', {}, docLink(doc, 'Open the document as it is now')))));
    }

    function releaseLink(other) {
      const target = { kind: 'release', id: String(other) };
      return h('a', { href: hashOf(target), onclick: follow(target), text: `release ${other}` });
    }

    function docLink(doc, text) {
      const target = { kind: 'doc', app: doc.app, profile: doc.profile };
      return h('a', { href: hashOf(target), onclick: follow(target), text: text || `${doc.app}/${doc.profile}` });
    }

    load();
    return {
      heading,
      node,
      onTick() {
        if (release && (release.state === 'draft' || release.state === 'gray')) load();
        if (release && release.state === 'gray') loadInstances();
      },
      onConfigChange() {
        load();
        if (against === 'current') loadDiff();
      },
      dirty: () => Boolean(grayEditor && grayEditor.dirty()),
      dispose() {
        alive = false;
      },
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

function hashOf(route) {
  switch (route.kind) {
    case 'doc': return `#/config/${encodeURIComponent(route.app)}/${encodeURIComponent(route.profile)}`;
    case 'new': return '#/config/~new';
    case 'releases': return '#/config/~releases';
    case 'release': return `#/config/~releases/${encodeURIComponent(route.id)}`;
    default: return '#/config';
  }
}

function nameOf(key) {
  const parts = key.split('/');
  return parts.length === 3 && `${parts[0]}/` === PREFIX ? { app: parts[1], profile: parts[2] } : null;
}

function byProfile(a, b) {
  if (a.profile === 'default' || b.profile === 'default') return a.profile === 'default' ? -1 : 1;
  return a.profile.localeCompare(b.profile);
}

function shortType(contentType) {
  const type = String(contentType || '').split(';')[0].trim().toLowerCase();
  return SHORT_TYPES[type] || type;
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function decodeBase64(text) {
  if (!text) return '';
  return new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
}

function textOf(version) {
  return version.value ?? decodeBase64(version.valueBase64);
}

function valueText(value) {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function stateBadge(state) {
  return h('span', { class: `badge badge-${state}`, data: { testid: 'release-state' }, text: state });
}

function ruleText(rule) {
  const parts = [];
  if (rule.instances && rule.instances.length) parts.push(`instances ${rule.instances.join(', ')}`);
  if (rule.ips && rule.ips.length) parts.push(`ips ${rule.ips.join(', ')}`);
  const labels = Object.entries(rule.labels || {});
  if (labels.length) parts.push(`labels ${labels.map(([name, value]) => `${name}=${value}`).join(', ')}`);
  if (rule.percent !== null && rule.percent !== undefined) parts.push(`${rule.percent} %`);
  return parts.join('; ') || '—';
}

function ruleFacts(rule) {
  const labels = Object.entries(rule.labels || {});
  const row = (label, value) => [h('dt', { text: label }), h('dd', { class: 'mono', text: value })];
  return h('dl', { class: 'facts' },
    rule.instances && rule.instances.length ? row('Instances', rule.instances.join(', ')) : null,
    rule.ips && rule.ips.length ? row('IP addresses', rule.ips.join(', ')) : null,
    labels.length ? row('Labels', labels.map(([name, value]) => `${name}=${value}`).join(', ')) : null,
    rule.percent !== null && rule.percent !== undefined ? row('Percent', `${rule.percent} %`) : null);
}

/** The rule a gray form describes, leaving out empty parts (the server refuses a rule with none). */
function parseRule(instancesText, ipsText, labelsText, percentText) {
  const list = (text) => text.split(/[\n,]/).map((one) => one.trim()).filter(Boolean);
  const rule = {};
  const instances = list(instancesText);
  if (instances.length) rule.instances = instances;
  const ips = list(ipsText);
  if (ips.length) rule.ips = ips;
  const labels = {};
  for (const line of labelsText.split('\n').map((one) => one.trim()).filter(Boolean)) {
    const equals = line.indexOf('=');
    if (equals <= 0) return { error: `Labels are name=value, one a line: “${line}” is not.` };
    labels[line.slice(0, equals).trim()] = line.slice(equals + 1).trim();
  }
  if (Object.keys(labels).length) rule.labels = labels;
  if (percentText.trim() !== '') rule.percent = Number(percentText);
  return { rule };
}

function emergencyHeader(input) {
  const reason = input ? input.value.trim() : '';
  return reason ? { 'X-Muster-Emergency': reason } : {};
}

function hintFor(problem) {
  const type = (problem && problem.body && problem.body.type) || '';
  if (type.endsWith(':release-conflict')) {
    return h('p', { class: 'hint', text: 'Rebase the release to take the documents as they are now as its base, review its changes, then publish again; or publish with force to overwrite those writes.' });
  }
  if (type.endsWith(':precondition-failed')) {
    return h('p', { class: 'hint', text: 'The release (or its application’s policy or schema) changed since it was shown: review it again.' });
  }
  return null;
}

/** A read-only view of a document: numbered lines, coloured by its content type. */
function viewer(text, contentType, label, testid) {
  return h('pre', { class: 'code numbered', tabindex: 0, role: 'region', 'aria-label': label, data: { testid } }, highlight(text || '', contentType));
}

/** The content type select and the content textarea of an edit; `dirty()` says whether either changed. */
function documentForm(contentType, content, label) {
  const select = h('select', { data: { testid: 'doc-content-type' } },
    CONTENT_TYPES.map(([value, text]) => h('option', { value, text })));
  if (!CONTENT_TYPES.some(([value]) => value === contentType)) select.append(h('option', { value: contentType, text: contentType }));
  select.value = contentType;
  const textarea = h('textarea', { class: 'doc-editor', rows: 20, spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', wrap: 'off', data: { testid: 'doc-editor' } });
  textarea.value = content;
  return {
    select,
    textarea,
    fields: [field('Content type', select), field(label, textarea)],
    dirty: () => select.value !== contentType || textarea.value !== content,
  };
}

function checkbox(input, text) {
  return h('div', { class: 'field check' }, h('label', {}, input, ` ${text}`));
}

/** Puts the caret at a 1-based line and column the server named, and scrolls it into view. */
function placeCaret(textarea, line, column) {
  const lines = textarea.value.split('\n');
  const row = Math.min(Math.max(1, line), lines.length);
  let offset = 0;
  for (let i = 0; i < row - 1; i += 1) offset += lines[i].length + 1;
  offset += Math.min(Math.max(0, (column || 1) - 1), lines[row - 1].length);
  textarea.focus();
  textarea.setSelectionRange(offset, offset);
  const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
  textarea.scrollTop = Math.max(0, (row - 3) * lineHeight);
}

function focusFirst(container) {
  const target = container.querySelector('button, a[href], input, select, textarea');
  if (target) target.focus();
}

/** Re-renders `container` and gives focus back to the same control (by its test hook) if it had it. */
function keepFocus(container, render) {
  const active = document.activeElement;
  let selector = null;
  if (active && active !== container && container.contains(active) && active.dataset && active.dataset.testid) {
    selector = `[data-testid="${CSS.escape(active.dataset.testid)}"]`;
    for (const name of ['key', 'id', 'revision']) {
      if (active.dataset[name] !== undefined) selector += `[data-${name}="${CSS.escape(active.dataset[name])}"]`;
    }
  }
  render();
  const again = selector && container.querySelector(selector);
  if (again) again.focus();
}

/** Two versions side by side, line by line, with unchanged runs folded. */
function diffView(before, after, leftLabel, rightLabel, note) {
  const result = diffLines(before, after);
  const summary = result.removed + result.added === 0
    ? 'The two versions have the same content.'
    : `${plural(result.removed, 'line')} removed, ${plural(result.added, 'line')} added.`;
  const rows = result.rows.slice(0, MAX_DIFF_ROWS);
  const cell = (line, kind) => {
    if (!line) return h('div', { class: 'gap' });
    return h('div', { class: kind || null },
      h('span', { class: 'ln', text: String(line.number) }),
      h('span', { class: 'mark', text: kind === 'del' ? '−' : kind === 'add' ? '+' : ' ' }),
      line.text);
  };
  return h('div', { class: 'diff-view', data: { testid: 'diff-view' } },
    h('p', { class: 'diff-summary' }, summary, note ? ` ${note}` : '',
      result.exact ? '' : ' The versions differ too much to align line by line: the changed part is shown replaced whole.'),
    result.removed + result.added === 0 ? null : h('div', { class: 'diff', role: 'group', 'aria-label': `Changes from ${leftLabel} to ${rightLabel}` },
      h('div', { class: 'head', text: leftLabel }),
      h('div', { class: 'head', text: rightLabel }),
      rows.map((row) => (row.type === 'fold'
        ? h('div', { class: 'fold', text: `⋯ ${plural(row.count, 'unchanged line')}` })
        : [cell(row.left, row.type === 'change' ? 'del' : null), cell(row.right, row.type === 'change' ? 'add' : null)]))),
    result.rows.length > rows.length ? h('p', { class: 'hint', text: `The first ${rows.length} of ${result.rows.length} rows are shown.` }) : null);
}
