// Audit: the trail of every command (admin), filtered by token, key prefix and time. It comes from the
// H2 view, which has no watch of its own; the status stream reports each applied revision, and a new
// one fetches only the records after the last shown (at most once a second).

import { query } from '../api.js';
import { h, fill, problemView, table, field, formatTime } from '../ui.js';

export const title = 'Audit';

const PAGE = 500;
const MAX_ROWS = 2000;

export function mount(root, ctx) {
  let records = [];
  let after = 0;
  let filters = { who: '', prefix: '', since: new Date(Date.now() - 3600_000).toISOString() };
  let truncated = false;
  let generation = 0;
  let running = false;
  let again = false;

  const whoInput = h('input', { type: 'text', name: 'who', data: { testid: 'audit-who' } });
  const prefixInput = h('input', { type: 'text', name: 'prefix', spellcheck: 'false', data: { testid: 'audit-prefix' } });
  const sinceInput = h('input', { type: 'text', name: 'since', value: filters.since, data: { testid: 'audit-since' } });
  const feedback = h('div', { class: 'feedback' });
  const body = h('div', { data: { testid: 'audit-list' } });
  const form = h('form', { class: 'toolbar', role: 'search' },
    field('Token', whoInput), field('Key prefix', prefixInput), field('Since (ISO-8601)', sinceInput),
    h('button', { type: 'submit', text: 'Filter' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filters = { who: whoInput.value.trim(), prefix: prefixInput.value.trim(), since: sinceInput.value.trim() };
    generation += 1;
    records = [];
    after = 0;
    truncated = false;
    fetchNew();
  });
  fill(root, ctx.header('Audit'), form, feedback, body);

  function link(record) {
    const target = record.target || '';
    if (/^config\/[^/]+\/[^/]+$/.test(target)) return h('a', { href: `#/config/${target.split('/').slice(1).map(encodeURIComponent).join('/')}`, text: target });
    if (['put', 'delete', 'txn'].includes(record.action) && target) return h('a', { href: `#/keys/key/${encodeURIComponent(target)}`, text: target });
    return h('span', { class: 'mono', text: target });
  }

  /** One fetch at a time (each appends after the last record); a call meanwhile runs once more after it. */
  async function fetchNew() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      await fetchAfter(generation);
    } while (again);
    running = false;
  }

  async function fetchAfter(run) {
    try {
      for (;;) {
        const answer = await ctx.api(`/v1/audit${query({ who: filters.who, prefix: filters.prefix, since: filters.since, after, limit: PAGE })}`);
        if (run !== generation) return; // the filter changed meanwhile: the next round lists anew
        fill(feedback);
        ctx.setRevision(answer.body.viewRevision);
        records = records.concat(answer.body.records);
        if (answer.body.records.length) after = answer.body.records[answer.body.records.length - 1].revision;
        if (records.length > MAX_ROWS) {
          records = records.slice(records.length - MAX_ROWS);
          truncated = true;
        }
        if (!answer.body.next) break;
        after = answer.body.next;
      }
      render();
    } catch (problem) {
      fill(feedback, problemView(problem, 'Audit refused'));
    }
    ctx.ready();
  }

  function render() {
    const newestFirst = records.slice().reverse();
    fill(body,
      truncated ? h('p', { class: 'hint', text: `Showing the newest ${MAX_ROWS} records; narrow the filter for older ones.` }) : null,
      table('Audit records, newest first', [
        { label: 'Revision', cell: (record) => h('a', { href: `#/audit/${record.revision}`, data: { testid: 'audit-revision' }, text: record.revision }) },
        { label: 'When (leader time)', cell: (record) => formatTime(record.at) },
        { label: 'Token', cell: (record) => record.principal || '—' },
        { label: 'Action', cell: (record) => record.action },
        { label: 'Target', cell: link },
        { label: 'Outcome', cell: (record) => h('span', { class: `badge badge-${record.outcome === 'ok' ? 'ok' : 'DOWN'}`, text: record.outcome }) },
      ], newestFirst, { empty: 'No records match.', rowKey: (record) => String(record.revision) }));
    const focus = ctx.params[0];
    if (focus) {
      const row = body.querySelector(`tr[data-key="${CSS.escape(focus)}"]`);
      if (row) row.classList.add('focus-row');
    }
  }

  ctx.onApplied(fetchNew);
  fetchNew();
}
