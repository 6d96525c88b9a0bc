// Server-Sent Events over fetch: EventSource cannot send an Authorization header, and the token must
// never travel in a URL. Reconnects with a growing, jittered wait and resumes with Last-Event-ID when
// the stream numbers its messages (watches do: the id is a revision).

import { notifyUnauthorized, Problem, session, unreachable } from './api.js';

/** How long a tab may stay hidden before its streams let go of their connections. */
const HIDDEN_MILLIS = 10000;
/** A stream that stayed open this long was healthy: its next failure starts the back-off afresh. */
const HEALTHY_MILLIS = 5000;

/**
 * Opens `path` as an event stream. `onMessage(event, data, id)` gets each message (data parsed as JSON
 * when it is JSON), `onActivity()` every arrival of bytes (heartbeats included), `onState(state,
 * problem)` 'open', 'retrying' (with the problem or failure) and 'ended' (a problem the stream cannot
 * recover from: 400, 401, 403, 404, 410; a 401, or a `revoked` message with status 401, also goes to
 * the shell's sign-out). `resume` sends the last id back on reconnect.
 *
 * A stream silent for `idleMillis` is broken off and opened again (Muster's streams send a heartbeat
 * every `muster.watch.heartbeat-interval`, so silence means a connection lost on the way, a proxy holding
 * a half-open socket). The back-off grows until a stream stays open for a while: a node that accepts a
 * stream and ends it at once (it hears from no leader) is not hammered. A tab hidden for ten seconds
 * lets go of its streams and opens them again when shown: a browser holds six connections per host over
 * HTTP/1.1, and background tabs must not take them all. Returns {close()}.
 */
export function stream(path, { onMessage, onState = () => {}, onActivity = () => {}, resume = true, idleMillis = 65000 }) {
  let closed = false;
  let paused = false;
  let lastId = null;
  let attempt = 0;
  let openedAt = 0;
  let controller = null;
  let timer = null;
  let hiddenTimer = null;

  async function connect() {
    controller = new AbortController();
    const headers = { Accept: 'text/event-stream' };
    const token = session.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (resume && lastId) headers['Last-Event-ID'] = lastId;
    let response;
    try {
      response = await fetch(path, { headers, signal: controller.signal, cache: 'no-store' });
    } catch (error) {
      if (!closed && !paused) retry(unreachable(error));
      return;
    }
    if (!response.ok) {
      let body;
      try {
        body = await response.json();
      } catch {
        body = { title: `${response.status} ${response.statusText}`, status: response.status };
      }
      const problem = new Problem(response.status, body);
      if ([400, 401, 403, 404, 410].includes(response.status)) {
        closed = true;
        onState('ended', problem);
        if (response.status === 401) notifyUnauthorized(problem);
      } else {
        retry(problem);
      }
      return;
    }
    openedAt = Date.now();
    onState('open');
    try {
      await read(response.body.getReader());
      if (!closed && !paused) retry(new Problem(0, { title: 'The stream ended', detail: 'The node closed the stream; reconnecting' }));
    } catch (error) {
      if (!closed && !paused) retry(unreachable(error));
    }
  }

  async function read(reader) {
    let idle = null;
    const quiet = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(), idleMillis);
    };
    try {
      await readLines(reader, quiet);
    } finally {
      clearTimeout(idle);
    }
  }

  async function readLines(reader, quiet) {
    const decoder = new TextDecoder();
    let buffer = '';
    let event = 'message';
    let data = [];
    let id = null;
    for (;;) {
      quiet();
      const { value, done } = await reader.read();
      if (done || closed) return;
      onActivity();
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.search(/\r\n|\n|\r/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length) {
            if (id !== null) lastId = id;
            const text = data.join('\n');
            let parsed = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON: hand over the text
            }
            onMessage(event, parsed, id);
            if (event === 'revoked' && parsed && parsed.status === 401) {
              notifyUnauthorized(new Problem(401, parsed));
            }
            if (closed) return;
          }
          event = 'message';
          data = [];
          id = null;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const fieldValue = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = fieldValue;
        else if (field === 'data') data.push(fieldValue);
        else if (field === 'id') id = fieldValue;
      }
    }
  }

  function retry(problem) {
    onState('retrying', problem);
    if (openedAt && Date.now() - openedAt > HEALTHY_MILLIS) attempt = 0;
    openedAt = 0;
    attempt += 1;
    const wait = Math.min(5000, 250 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
    timer = setTimeout(() => {
      if (!closed) connect();
    }, wait);
  }

  function visibility() {
    clearTimeout(hiddenTimer);
    if (document.visibilityState === 'hidden') {
      hiddenTimer = setTimeout(() => {
        paused = true;
        clearTimeout(timer);
        if (controller) controller.abort();
      }, HIDDEN_MILLIS);
    } else if (paused && !closed) {
      paused = false;
      attempt = 0;
      connect();
    }
  }

  document.addEventListener('visibilitychange', visibility);
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearTimeout(hiddenTimer);
      document.removeEventListener('visibilitychange', visibility);
      if (controller) controller.abort();
    },
  };
}
