// Server-Sent Events over fetch: EventSource cannot send an Authorization header, and the token must
// never travel in a URL. Reconnects with a growing, jittered wait and resumes with Last-Event-ID when
// the stream numbers its messages (watches do: the id is a revision).

import { Problem, session, unreachable } from './api.js';

/**
 * Opens `path` as an event stream. `onMessage(event, data, id)` gets each message (data parsed as JSON
 * when it is JSON), `onState(state, problem)` gets 'open', 'retrying' (with the problem or failure)
 * and 'ended' (a problem the stream cannot recover from: 401, 403, 404, 410). `resume` sends the last
 * id back on reconnect. A stream silent for `idleMillis` is broken off and opened again: Muster's streams
 * send a heartbeat at least every few seconds, so silence means a connection lost on the way (a proxy
 * holding a half-open socket). Returns {close()}.
 */
export function stream(path, { onMessage, onState = () => {}, resume = true, idleMillis = 15000 }) {
  let closed = false;
  let lastId = null;
  let attempt = 0;
  let controller = null;
  let timer = null;

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
      if (!closed) retry(unreachable(error));
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
      } else {
        retry(problem);
      }
      return;
    }
    attempt = 0;
    onState('open');
    try {
      await read(response.body.getReader());
      if (!closed) retry(new Problem(0, { title: 'The stream ended', detail: 'The node closed the stream; reconnecting' }));
    } catch (error) {
      if (!closed) retry(unreachable(error));
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
    attempt += 1;
    const wait = Math.min(5000, 250 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
    timer = setTimeout(() => {
      if (!closed) connect();
    }, wait);
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (controller) controller.abort();
    },
    /** Forgets the resume point: the next connection starts at the current revision. */
    forget() {
      lastId = null;
    },
  };
}
