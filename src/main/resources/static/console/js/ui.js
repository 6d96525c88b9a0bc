// DOM helpers. Everything the server sends is put on the page as text (textContent), never parsed as
// HTML, so a key or a document cannot inject markup; the CSP (script-src 'self') backs that up.

/** Creates an element: attributes (on* become listeners, `class`, `text`, `data`), then children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name === 'data') Object.entries(value).forEach(([key, one]) => { element.dataset[key] = one; });
    else if (name in element && typeof value !== 'string') element[name] = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `element`. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/**
 * A problem as the server sent it: title, status and detail, then every other member verbatim (field,
 * key, line, conflicts…). `role=alert` so a screen reader announces it.
 */
export function problemView(problem, context) {
  const body = problem && problem.body ? problem.body : { title: String(problem) };
  const extra = Object.entries(body).filter(([name]) => !['type', 'title', 'status', 'detail', 'instance'].includes(name));
  return h('div', { class: 'problem', role: 'alert', data: { type: body.type || '' } },
    h('p', { class: 'problem-title' }, context ? `${context}: ` : '', body.title || 'Request failed',
      body.status ? ` (${body.status})` : ''),
    body.detail ? h('p', { class: 'problem-detail', text: body.detail }) : null,
    body.type ? h('p', { class: 'problem-type' }, h('code', { text: body.type })) : null,
    extra.length ? h('pre', { class: 'problem-extra', text: JSON.stringify(Object.fromEntries(extra), null, 2) }) : null);
}

/** A region that shows loading, empty, error or content states. */
export function stateView(kind, text) {
  return h('p', { class: `state state-${kind}`, role: kind === 'error' ? 'alert' : null, text });
}

export function formatTime(value) {
  if (value === null || value === undefined || value === '') return '—';
  const date = typeof value === 'number' ? new Date(value) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatMillis(millis) {
  if (millis === null || millis === undefined) return '—';
  if (millis < 1000) return `${Math.round(millis)} ms`;
  if (millis < 120000) return `${(millis / 1000).toFixed(1)} s`;
  return `${Math.round(millis / 60000)} min`;
}

/** A table with a caption (kept for screen readers), `columns` [{label, cell(row)}] and rows. */
export function table(caption, columns, rows, { empty = 'Nothing here yet.', rowKey } = {}) {
  if (!rows.length) return stateView('empty', empty);
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', { class: 'visually-hidden', text: caption }),
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col', text: column.label })))),
      h('tbody', {}, rows.map((row) => h('tr', { data: rowKey ? { key: rowKey(row) } : {} },
        columns.map((column) => h('td', {}, column.cell(row))))))));
}

/**
 * Asks for confirmation in a modal <dialog> (focus stays inside, Escape cancels). Resolves true when
 * confirmed. `body` may add inputs; `read()` is called before closing to validate them.
 */
export function confirmAction({ title, message, confirm = 'Confirm', danger = false, body = null }) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'dialog-title', text: title }),
        message ? h('p', { text: message }) : null,
        body,
        h('div', { class: 'actions' },
          h('button', { type: 'submit', value: 'cancel', class: 'quiet', text: 'Cancel' }),
          h('button', { type: 'submit', value: 'ok', class: danger ? 'danger' : 'primary', text: confirm }))));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'ok');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A short-lived message in the corner (polite live region). */
export function notify(text) {
  let region = document.getElementById('notices');
  if (!region) {
    region = h('div', { id: 'notices', class: 'notices', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  const notice = h('p', { class: 'notice', text });
  region.append(notice);
  setTimeout(() => notice.remove(), 4000);
}

/** A labelled input. */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h('div', { class: 'field' },
    h('label', { for: id, text: label }), input, hint ? h('small', { class: 'hint', text: hint }) : null);
}

/** Calls `fn` at most once per `millis`, with the latest arguments, trailing. */
export function throttle(fn, millis) {
  let timer = null;
  let last = 0;
  return (...args) => {
    const wait = Math.max(0, last + millis - Date.now());
    clearTimeout(timer);
    timer = setTimeout(() => {
      last = Date.now();
      fn(...args);
    }, wait);
  };
}

/**
 * Numbers requests so that only the newest one's answer is used: `const newest = latest();` once, then
 * for each request `const current = newest(); const answer = await …; if (!current()) return;`.
 */
export function latest() {
  let count = 0;
  return () => {
    const mine = ++count;
    return () => mine === count;
  };
}
