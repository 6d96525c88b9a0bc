// Keys: a prefix browser over everything that is not a configuration document (those have their own
// screen), a page at a time, live through a prefix watch; one key's value, metadata and history.

import { pathOf, query } from '../api.js';
import { h, fill, problemView, table, confirmAction, notify, throttle, stateView, field, formatTime, latest } from '../ui.js';

export const title = 'Keys';

const CONFIG_PREFIX = 'config/';
const PAGE = 100;

export function mount(root, ctx) {
  // A token confined to key prefixes may list and watch only under them: start at its first.
  let prefix = ctx.who.prefixes && ctx.who.prefixes.length ? ctx.who.prefixes[0] : '';
  let pages = [''];
  let openKey = ctx.params[0] === 'key' && ctx.params[1] ? ctx.params[1] : null;
  let connection = null;
  const newestList = latest();
  const newestDetail = latest();

  const prefixInput = h('input', { type: 'text', name: 'prefix', spellcheck: 'false', placeholder: 'e.g. services/', value: prefix, data: { testid: 'key-prefix' } });
  const feedback = h('div', { class: 'feedback' });
  const list = h('div', { data: { testid: 'key-list' } }, stateView('loading', 'Loading keys…'));
  const pager = h('div', { class: 'actions' });
  const detail = h('div', { class: 'key-detail' });
  const newButton = ctx.canWrite ? h('button', { type: 'button', class: 'primary', data: { testid: 'key-new' }, onclick: () => showEditor(null), text: 'New key' }) : null;
  const form = h('form', { class: 'toolbar', role: 'search' },
    field('Key prefix', prefixInput),
    h('button', { type: 'submit', text: 'Show' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    prefix = prefixInput.value.trim();
    pages = [''];
    watch();
    load();
  });
  fill(root, ctx.header('Keys', newButton), form, feedback,
    h('div', { class: 'split even' }, h('div', {}, list, pager), detail));

  async function load() {
    const after = pages[pages.length - 1];
    const current = newestList();
    try {
      const answer = await ctx.api(`/v1/kv${query({ prefix, limit: PAGE, after, consistency: ctx.consistency() })}`);
      if (!current()) return;
      fill(feedback);
      const items = answer.body.items.filter((item) => !item.key.startsWith(CONFIG_PREFIX));
      const skipped = answer.body.items.length - items.length;
      ctx.setRevision(answer.body.revision);
      fill(list, table(`Keys under '${prefix}'`, [
        { label: 'Key', cell: (item) => h('button', { type: 'button', class: 'link mono', data: { testid: 'key-item', key: item.key }, onclick: () => openDetail(item.key), text: item.key }) },
        { label: 'Type', cell: (item) => item.contentType },
        { label: 'Revision', cell: (item) => item.modRevision },
        { label: 'Version', cell: (item) => item.version },
      ], items, { empty: prefix.startsWith(CONFIG_PREFIX) ? 'Configuration documents are on the Configuration screen.' : `No keys under '${prefix}'.` }),
      skipped ? h('p', { class: 'hint', text: `${skipped} configuration document(s) on this page are on the Configuration screen.` }) : null);
      fill(pager,
        pages.length > 1 ? h('button', { type: 'button', onclick: () => { pages.pop(); load(); }, text: 'Previous page' }) : null,
        answer.body.next ? h('button', { type: 'button', data: { testid: 'key-next' }, onclick: () => { pages.push(answer.body.next); load(); }, text: 'Next page' }) : null);
      ctx.ready();
    } catch (problem) {
      if (!current()) return;
      fill(list);
      fill(feedback, problemView(problem, 'Listing refused'));
      ctx.ready();
    }
  }

  async function openDetail(key) {
    openKey = key;
    const current = newestDetail();
    try {
      const entry = await ctx.api(`/v1/kv${query({ prefix: key, limit: 1, consistency: ctx.consistency() })}`);
      if (!current()) return;
      const item = entry.body.items.find((one) => one.key === key);
      if (!item) {
        fill(detail, stateView('empty', `'${key}' does not exist (any more).`));
        return;
      }
      const history = await ctx.api(`/v1/history/${pathOf(key)}${query({ limit: 20, minRevision: item.modRevision })}`).catch((problem) => problem);
      if (!current()) return;
      const value = item.value !== undefined ? item.value : `(binary, base64) ${item.valueBase64}`;
      fill(detail, h('div', { class: 'card', data: { testid: 'key-detail', key } },
        h('h2', { class: 'mono', text: key }),
        h('dl', { class: 'facts' },
          h('dt', { text: 'Content type' }), h('dd', { text: item.contentType }),
          h('dt', { text: 'Revision' }), h('dd', { text: `${item.modRevision} (created ${item.createRevision}, version ${item.version})` }),
          item.lease ? h('dt', { text: 'Lease' }) : null, item.lease ? h('dd', { text: item.lease }) : null),
        h('h3', { text: 'Value' }),
        h('pre', { class: 'code', data: { testid: 'key-value' }, text: value }),
        ctx.canWrite ? h('div', { class: 'actions' },
          h('button', { type: 'button', data: { testid: 'key-edit' }, onclick: () => showEditor(item), text: 'Edit' }),
          h('button', { type: 'button', class: 'danger', data: { testid: 'key-delete' }, onclick: () => remove(item), text: 'Delete' })) : null,
        h('h3', { text: 'History' }),
        history.body && history.body.versions
          ? table(`History of ${key}`, [
            { label: 'Revision', cell: (version) => version.modRevision },
            { label: 'Version', cell: (version) => version.version },
            { label: 'Written', cell: (version) => formatTime(version.modifiedAt) },
            { label: 'Value', cell: (version) => h('span', { class: 'mono', text: (version.value ?? version.valueBase64 ?? '').slice(0, 80) }) },
          ], history.body.versions)
          : problemView(history, 'History')));
    } catch (problem) {
      if (current()) fill(detail, problemView(problem, `Reading '${key}'`));
    }
  }

  function showEditor(item) {
    const keyInput = h('input', { type: 'text', name: 'key', spellcheck: 'false', required: true, value: item ? item.key : prefix, readOnly: Boolean(item), data: { testid: 'key-name' } });
    const typeInput = h('input', { type: 'text', name: 'contentType', value: item ? item.contentType : 'text/plain', data: { testid: 'key-type' } });
    const valueInput = h('textarea', { name: 'value', spellcheck: 'false', data: { testid: 'key-editor' } });
    valueInput.value = item && item.value !== undefined ? item.value : '';
    const result = h('div');
    const form = h('form', { class: 'card' },
      h('h2', { text: item ? `Edit ${item.key}` : 'New key' }),
      field('Key', keyInput, 'Segments of A-Z a-z 0-9 . _ ~ : @ = + - separated by single slashes'),
      field('Content type', typeInput),
      field('Value', valueInput),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', data: { testid: 'key-save' }, text: item ? 'Save' : 'Create' }),
        h('button', { type: 'button', class: 'quiet', onclick: () => (item ? openDetail(item.key) : fill(detail)), text: 'Cancel' })),
      result);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const key = keyInput.value.trim();
      const headers = item ? { 'If-Match': `"${item.modRevision}"` } : { 'If-None-Match': '*' };
      try {
        const answer = await ctx.api(`/v1/kv/${pathOf(key)}`, { method: 'PUT', body: valueInput.value, contentType: typeInput.value.trim() || 'text/plain', headers });
        notify(`Wrote ${key} at revision ${answer.body.revision}`);
        openDetail(key);
      } catch (problem) {
        fill(result, problemView(problem, 'Write refused'));
      }
    });
    fill(detail, form);
    keyInput.focus();
  }

  async function remove(item) {
    const ok = await confirmAction({ title: `Delete ${item.key}?`, message: 'The key and its history are deleted; watchers see a delete.', confirm: 'Delete', danger: true });
    if (!ok) return;
    try {
      await ctx.api(`/v1/kv/${pathOf(item.key)}`, { method: 'DELETE', headers: { 'If-Match': `"${item.modRevision}"` } });
      notify(`Deleted ${item.key}`);
      fill(detail);
      openKey = null;
    } catch (problem) {
      fill(detail, problemView(problem, 'Delete refused'), detail.firstChild);
    }
  }

  const reload = throttle(() => {
    load();
    if (openKey && !detail.querySelector('form')) openDetail(openKey);
  }, 250);

  function watch() {
    if (connection) connection.close();
    connection = ctx.stream(`/v1/watch?prefix=${encodeURIComponent(prefix)}`, {
      resume: false,
      onMessage: (event, data) => {
        if (event === 'change') reload();
        else if (event === 'progress' && data.revision) ctx.setRevision(data.revision);
      },
      onState: (state, problem) => {
        if (state === 'open') reload();
        else if (state === 'ended') fill(feedback, problemView(problem, 'Live updates stopped'));
      },
    });
  }

  watch();
  load();
  if (openKey) openDetail(openKey);
}
