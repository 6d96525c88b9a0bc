// The Configuration screen's release panes (see screens/config.js): the list of releases and one
// release (draft, validate, gray with its rule editor, publish, rebase, abandon, roll back). Each pane
// gets the screen's shared state (`screen`) and answers {heading, node, onDocs?, onTick?,
// onConfigChange?, dirty?, dispose?}.

import { query } from '../api.js';
import { keepFocus } from '../focus.js';
import { codeView } from '../highlight.js';
import { confirmAction, field, fill, formatTime, h, notify, problemView, stateView } from '../ui.js';
import { hashOf, plural } from './common.js';

const RELEASE_STATES = ['draft', 'gray', 'published', 'abandoned'];

// ---------------------------------------------------------------------------------------- release list

/** Releases newest first, filtered by application and state (the filter outlives the pane, in `screen`). */
export function releasesPane(screen) {
  const { ctx, releaseFilter, follow, applications } = screen;
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
    keepFocus(list, () => fill(list, loaded.length ? releaseTable(loaded, follow)
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

function releaseTable(releases, follow) {
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

// -------------------------------------------------------------------------------------- release detail

/** One release: its facts and documents, validation, gray rule and changes; for writers its actions. */
export function releasePane(screen, { id }) {
  const { ctx, go, follow } = screen;
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
          : codeView(doc.content, doc.contentType, `Content of ${doc.key} in release ${id}`, 'release-doc-view'),
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

// --------------------------------------------------------------------------------------------- helpers

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

function checkbox(input, text) {
  return h('div', { class: 'field check' }, h('label', {}, input, ` ${text}`));
}
