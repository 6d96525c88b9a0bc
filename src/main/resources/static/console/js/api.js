// The console's one way to the REST API: every request carries the token from session storage (never a
// URL, never local storage), and every failure becomes a Problem holding the server's RFC 9457 body as
// it came, so screens show it verbatim.

const TOKEN_KEY = 'muster.console.token';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A failed request: the problem document the server sent (or one describing a network failure). */
export class Problem extends Error {
  constructor(status, body) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

const listeners = new Set();

/** Called with the Problem of any 401, so the shell can return to sign-in showing it. */
export function onUnauthorized(listener) {
  listeners.add(listener);
}

/** Tells the listeners the token was refused: a 401 from a request or a stream. */
export function notifyUnauthorized(problem) {
  listeners.forEach((listener) => listener(problem));
}

function authorization() {
  const token = session.token();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function problemOf(response) {
  const type = response.headers.get('Content-Type') || '';
  const text = await response.text();
  if (type.includes('json') && text) {
    try {
      return JSON.parse(text);
    } catch {
      // fall through: show the text as it came
    }
  }
  return { title: `${response.status} ${response.statusText}`, status: response.status, detail: text.slice(0, 500) };
}

export function unreachable(error) {
  return new Problem(0, { title: 'The node did not answer', detail: String(error && error.message || error) });
}

/**
 * Sends a request. `json` is sent as application/json; `body` as is with `contentType`. Resolves to
 * {status, body, revision, headers}; rejects with a Problem.
 */
export async function api(path, { method = 'GET', json, body, contentType, headers = {}, signal } = {}) {
  const init = { method, signal, cache: 'no-store', headers: { Accept: 'application/json', ...authorization(), ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['Content-Type'] = 'application/json';
  } else if (body !== undefined) {
    init.body = body;
    init.headers['Content-Type'] = contentType || 'application/octet-stream';
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw error.name === 'AbortError' ? error : unreachable(error);
  }
  const revision = Number(response.headers.get('X-Muster-Revision')) || null;
  if (!response.ok) {
    const problem = new Problem(response.status, await problemOf(response));
    if (response.status === 401) notifyUnauthorized(problem);
    throw problem;
  }
  const type = response.headers.get('Content-Type') || '';
  let result = null;
  if (response.status !== 204) {
    result = type.includes('json') ? await response.json() : await response.text();
  }
  return { status: response.status, body: result, revision, headers: response.headers };
}

/** Encodes each segment of a key or name for a path, keeping the '/' between segments. */
export function pathOf(key) {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** A query string from the defined entries of `params`; arrays repeat the parameter. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    (Array.isArray(value) ? value : [value]).forEach((one) => search.append(name, String(one)));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
