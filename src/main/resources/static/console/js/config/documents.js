// The Configuration screen's document panes (see screens/config.js): a document with its viewer, editor
// and history (side-by-side diff, rollback), and the form creating one; either may draft a release
// instead of writing. Each pane gets the screen's shared state (`screen`) and answers {heading, node,
// onDocs?, dirty?, dispose?}.

import { pathOf, query } from '../api.js';
import { diffView } from '../diff.js';
import { keepFocus } from '../focus.js';
import { codeView } from '../highlight.js';
import { confirmAction, field, fill, formatTime, h, notify, problemView, stateView, throttle } from '../ui.js';
import { PREFIX, shortType } from './common.js';

const CONTENT_TYPES = [
  ['application/yaml', 'YAML (application/yaml)'],
  ['text/x-java-properties', 'Properties (text/x-java-properties)'],
  ['application/json', 'JSON (application/json)'],
];
const SEGMENT = /^[A-Za-z0-9._~:@=+-]+$/;

// -------------------------------------------------------------------------------------------- document

/** A document: its facts, a coloured view and, for writers, edit, delete and draft a release; its history below. */
export function docPane(screen, { app, profile }) {
  const { ctx, docs, deleted, releaseFilter, go, applyLocal, forgetLocal } = screen;
  const key = `${PREFIX}${app}/${profile}`;
  let alive = true;
  let editor = null;
  const heading = h('h2', { tabindex: -1, class: 'doc-title' }, h('span', { class: 'muted', text: `${app} / ` }), profile);
  const facts = h('div');
  const tools = h('div', { class: 'toolbar' });
  const problems = h('div');
  const body = h('div');
  const history = historySection(screen, key);
  const node = h('div', {}, h('div', { class: 'card', data: { testid: 'doc-card', key } }, heading, facts, tools, problems, body), history.node);

  function render() {
    const entry = docs.get(key);
    if (!screen.listed()) {
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
    fill(body, codeView(textOf(entry), entry.contentType, `Content of ${key}`, 'doc-view'));
  }

  function startEdit() {
    const entry = docs.get(key);
    if (!entry) return;
    fill(problems);
    const base = entry.modRevision;
    const form = documentForm(entry.contentType, textOf(entry), `Content of ${key}`);
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
      const release = await draftRelease(screen, [{ app, profile, contentType: form.select.value, content: form.textarea.value }], `Update ${app}/${profile}`, problems);
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
    if (screen.listed() && !docs.has(key)) history.absent(deleted.has(key) ? 'A deleted document’s history ends with it.' : 'No history: there is no such document.');
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

/** The versions of `key` this node retains: compare two side by side, show one, roll back to one. */
function historySection(screen, key) {
  const { ctx, docs, applyLocal } = screen;
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
      codeView(textOf(version), version.contentType, `Content of ${key} at revision ${version.modRevision}`, 'history-view')));
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

// ---------------------------------------------------------------------------------------- new document

/** The form creating a document (If-None-Match: *), or drafting a release that creates it. */
export function newPane(screen, { app = '', profile = 'default' }) {
  const { ctx, go, applyLocal } = screen;
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
    const release = await draftRelease(screen, [{ ...name, contentType: form.select.value, content: form.textarea.value }], `Create ${name.app}/${name.profile}`, problems);
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
async function draftRelease(screen, documents, suggestedTitle, problems) {
  const { ctx } = screen;
  const titleInput = h('input', { type: 'text', value: suggestedTitle, data: { testid: 'release-title' } });
  const description = h('textarea', { class: 'short', rows: 3, data: { testid: 'release-description' } });
  const confirmed = await confirmAction({
    title: 'Draft a release',
    message: `The draft holds this edit of ${documents.map((doc) => `${doc.app}/${doc.profile}`).join(', ')}. A draft is never served and the document does not change now: review the draft, then put it in gray or publish it.`,
    confirm: 'Create draft',
    body: [field('Title', titleInput), field('Description (optional)', description)],
  });
  if (!confirmed || screen.disposed()) return null;
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

// --------------------------------------------------------------------------------------------- helpers

function decodeBase64(text) {
  if (!text) return '';
  return new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
}

function textOf(version) {
  return version.value ?? decodeBase64(version.valueBase64);
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
