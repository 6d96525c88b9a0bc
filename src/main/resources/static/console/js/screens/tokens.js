// Tokens (admin): every token's role and confinement, creation (the secret is shown once, here, and
// kept nowhere), and revocation. Token changes are log entries without a watch of their own: the list
// is fetched again when the status stream reports a newly applied revision (at most once a second).

import { h, fill, problemView, table, confirmAction, notify, field, formatTime, latest } from '../ui.js';

export const title = 'Tokens';

function list(text) {
  return text.split(',').map((one) => one.trim()).filter(Boolean);
}

export function mount(root, ctx) {
  const feedback = h('div', { class: 'feedback' });
  const body = h('div', { data: { testid: 'token-list' } });
  const secretArea = h('div', { 'aria-live': 'polite' });

  const nameInput = h('input', { type: 'text', name: 'name', required: true, spellcheck: 'false', data: { testid: 'token-name' } });
  const roleInput = h('select', { name: 'role', data: { testid: 'token-role' } },
    ['reader', 'writer', 'admin'].map((role) => h('option', { value: role, text: role })));
  const prefixesInput = h('input', { type: 'text', name: 'prefixes', spellcheck: 'false', data: { testid: 'token-prefixes' } });
  const servicesInput = h('input', { type: 'text', name: 'services', spellcheck: 'false', data: { testid: 'token-services' } });
  const createResult = h('div');
  const form = h('form', { class: 'card' },
    h('h2', { text: 'Create a token' }),
    h('div', { class: 'grid' },
      field('Name', nameInput), field('Role', roleInput),
      field('Key prefixes', prefixesInput, 'Comma separated; empty: not confined'),
      field('Services', servicesInput, 'Comma separated; * for any')),
    h('button', { type: 'submit', class: 'primary', data: { testid: 'token-create' }, text: 'Create token' }),
    createResult);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const answer = await ctx.api('/v1/auth/tokens', { method: 'POST', json: {
        name: nameInput.value.trim(), roles: [roleInput.value], prefixes: list(prefixesInput.value), services: list(servicesInput.value),
      } });
      fill(createResult);
      form.reset();
      fill(secretArea, h('div', { class: 'card', data: { testid: 'token-secret-card' } },
        h('h2', { text: `Secret of '${answer.body.name}'` }),
        h('p', { text: 'Shown this once: Muster stores only its hash. Copy it now.' }),
        h('p', { class: 'secret', data: { testid: 'token-secret' }, text: answer.body.secret }),
        h('button', { type: 'button', onclick: (click) => { fill(secretArea); click.preventDefault(); }, text: 'I have copied it' })));
      load();
    } catch (problem) {
      fill(createResult, problemView(problem, 'Creation refused'));
    }
  });

  fill(root, ctx.header('Tokens'), feedback, secretArea, form, h('h2', { text: 'Tokens' }), body);

  async function revoke(name) {
    const ok = await confirmAction({ title: `Revoke '${name}'?`, message: 'Requests carrying it are refused from the revoke on, and its open streams end.', confirm: 'Revoke', danger: true });
    if (!ok) return;
    try {
      await ctx.api(`/v1/auth/tokens/${encodeURIComponent(name)}`, { method: 'DELETE' });
      notify(`Revoked ${name}`);
      load();
    } catch (problem) {
      fill(feedback, problemView(problem, 'Revocation refused'));
    }
  }

  const newest = latest();

  async function load() {
    const current = newest();
    try {
      const answer = await ctx.api('/v1/auth/tokens');
      if (!current()) return;
      fill(feedback);
      if (answer.revision) ctx.setRevision(answer.revision);
      fill(body, table('Tokens', [
        { label: 'Name', cell: (token) => h('strong', { text: token.name }) },
        { label: 'Role', cell: (token) => token.roles[0] },
        { label: 'Key prefixes', cell: (token) => h('span', { class: 'mono', text: token.prefixes.join(', ') || 'any' }) },
        { label: 'Services', cell: (token) => h('span', { class: 'mono', text: token.services.join(', ') || '—' }) },
        { label: 'Created', cell: (token) => `${formatTime(token.createdAt)} (revision ${token.createRevision})` },
        { label: 'Actions', cell: (token) => (token.name === ctx.who.name ? 'this session'
          : h('button', { type: 'button', class: 'danger', data: { testid: 'token-revoke', name: token.name }, onclick: () => revoke(token.name), text: 'Revoke' })) },
      ], answer.body.tokens, { rowKey: (token) => token.name }));
    } catch (problem) {
      if (!current()) return;
      fill(feedback, problemView(problem, 'Listing refused'));
    }
    ctx.ready();
  }

  ctx.onApplied(load);
  load();
}
