// The measuring half of bench/console-services.sh (which starts the node and Chromium and stops them):
// registers the instances, drives the console over the DevTools protocol (Node's own WebSocket, so
// `node --experimental-websocket`; no npm packages), drives the status changes, prints the figures.
// Exits 1 when a step fails or when the page's counts differ from the node's.
//
// From the environment: MUSTER_PORT, MUSTER_TOKEN, DEVTOOLS_PORT, CHROME_PID (the browser whose renderers
// are measured), LOAD_AT_START; INSTANCES, RATE, CHANGES, IDLE_SECONDS, RELOADS, SEED may be set.
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const env = (name, fallback) => process.env[name] ?? fallback;
const PORT = Number(env('MUSTER_PORT'));
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = env('MUSTER_TOKEN');
const CHROME_PID = Number(env('CHROME_PID'));
const SERVICE = 'bench';
const INSTANCES = Number(env('INSTANCES', 10000));
const RATE = Number(env('RATE', 100));
const CHANGES = Number(env('CHANGES', 1000));
const IDLE_SECONDS = Number(env('IDLE_SECONDS', 10));
const RELOADS = Number(env('RELOADS', 3));
// Every lease must outlive the run, registration included (an expiry would move the counts under the check).
const TTL_SECONDS = 600;
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const id = (i) => `${SERVICE}-${String(i).padStart(5, '0')}`;

// --- the node's API -------------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
function call(method, path, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const request = http.request({ host: '127.0.0.1', port: PORT, agent, method, path, headers: {
      Authorization: `Bearer ${TOKEN}`,
      ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
    } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, text }));
    });
    request.on('error', (error) => resolve({ status: 0, text: String(error) }));
    request.end(payload);
  });
}

/** INSTANCES registrations, 32 at a time, given up after two minutes. */
async function register() {
  const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
  const started = Date.now();
  let next = 0, failed = 0, firstFailure = '';
  async function worker() {
    while (next < INSTANCES && Date.now() - started < 120_000) {
      const i = next++;
      const answer = await call('PUT', `/v1/services/${SERVICE}/instances/${id(i)}`, {
        address: `10.0.${(i >> 8) & 255}.${i & 255}`, port: 8080, zone: zones[i % 3], ttlSeconds: TTL_SECONDS });
      if (answer.status >= 300 || answer.status === 0) { failed++; firstFailure ||= `${answer.status} ${answer.text}`; }
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker));
  if (next < INSTANCES || failed) throw new Error(`registered ${next - failed} of ${INSTANCES} (${failed} failed: ${firstFailure.slice(0, 200)})`);
  return Date.now() - started;
}

/** A small seeded generator (mulberry32): the same ids in every run unless SEED is set. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * CHANGES status PATCHes at RATE a second, each due at its own time (start + i / RATE) so that a slow
 * answer does not slow the pace; OUT_OF_SERVICE and UP alternate, on random instances. Bounded: nothing is
 * sent after twice the planned time, and the answers are awaited at most 10 s more.
 */
async function drive() {
  const next = random(Number(env('SEED', 1)));
  const planned = (CHANGES / RATE) * 1000;
  const started = Date.now();
  const pending = [];
  const latencies = [];
  let failed = 0;
  for (let i = 0; i < CHANGES && Date.now() - started < 2 * planned; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    const sent = Date.now();
    pending.push(call('PATCH', `/v1/services/${SERVICE}/instances/${id(Math.floor(next() * INSTANCES))}`,
      { status: i % 2 ? 'UP' : 'OUT_OF_SERVICE' }).then((answer) => {
      latencies.push(Date.now() - sent);
      if (answer.status >= 300 || answer.status === 0) failed++;
    }));
  }
  const sentAll = Date.now();
  await Promise.race([Promise.all(pending), sleep(10_000)]);
  latencies.sort((a, b) => a - b);
  return { sent: pending.length, failed, answered: latencies.length, sendMillis: sentAll - started,
    millis: Date.now() - started, p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN };
}

// --- Chromium over the DevTools protocol -------------------------------------------------------------------

let socket, nextId = 1;
const replies = new Map(), listeners = new Map(), pageLog = [];

async function connect() {
  const pages = await (await fetch(`http://127.0.0.1:${env('DEVTOOLS_PORT')}/json/list`)).json();
  const page = pages.find((target) => target.type === 'page');
  if (!page) throw new Error('Chromium has no page');
  socket = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.id && replies.has(data.id)) { replies.get(data.id)(data); replies.delete(data.id); return; }
    (listeners.get(data.method) || []).splice(0).forEach((listener) => listener(data.params));
    if (data.method === 'Runtime.exceptionThrown') pageLog.push(`exception: ${data.params.exceptionDetails.exception?.description || data.params.exceptionDetails.text}`);
    if (data.method === 'Runtime.consoleAPICalled' && data.params.type === 'error') pageLog.push(`console.error: ${data.params.args.map((a) => a.value ?? a.description).join(' ')}`);
  };
}
function send(method, params = {}) {
  const callId = nextId++;
  socket.send(JSON.stringify({ id: callId, method, params }));
  return new Promise((resolve, reject) => replies.set(callId, (reply) => (reply.error ? reject(new Error(`${method}: ${reply.error.message}`)) : resolve(reply.result))));
}
/** The next event of this name (registered before the command that causes it). */
function nextEvent(method) {
  return new Promise((resolve) => listeners.set(method, [...(listeners.get(method) || []), resolve]));
}
async function evaluate(expression) {
  const result = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (result.exceptionDetails) throw new Error(`${expression.slice(0, 80)}: ${result.exceptionDetails.exception?.description || result.exceptionDetails.text}`);
  return result.result.value;
}
async function waitFor(what, expression, timeout = 30_000) {
  const started = Date.now();
  while (Date.now() - started < timeout) {
    if (await evaluate(`Boolean(${expression})`)) return;
    await sleep(50);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
}

/** The renderer processes of the benchmark's Chromium, and all of its processes, from /proc. */
function chromiumProcesses() {
  const parent = new Map(), renderers = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('--type=renderer')) renderers.push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  const ours = (pid) => { for (let p = pid; p > 1; p = parent.get(p)) if (p === CHROME_PID) return true; return false; };
  return { renderers: renderers.filter(ours), all: [...parent.keys()].filter(ours) };
}
/** CPU seconds (utime + stime) of these processes so far. */
function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = fields.slice(fields.lastIndexOf(')') + 2).split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch { /* gone */ }
  }
  return ticks / TICKS;
}
/** The page's own counters (Performance domain): layouts tell how many frames changed the DOM. */
async function pageMetrics() {
  return Object.fromEntries((await send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
}
/**
 * CPU of the renderers and of the whole browser over a window of `work` (a promise-returning function),
 * and the page's layouts and script time in it: on a busy box the renderer gets fewer frames, and spends less.
 */
async function cpuDuring(work) {
  const { renderers, all } = chromiumProcesses();
  const m0 = await pageMetrics();
  const r0 = cpuSeconds(renderers), a0 = cpuSeconds(all), t0 = performance.now();
  const result = await work();
  const wall = (performance.now() - t0) / 1000;
  const renderer = cpuSeconds(renderers) - r0, browser = cpuSeconds(all) - a0;
  const m1 = await pageMetrics();
  return { result, wall, renderer, browser, renderers: renderers.length,
    layouts: m1.LayoutCount - m0.LayoutCount, script: m1.ScriptDuration - m0.ScriptDuration };
}

/** The page's status counts (the open service's summary, and its entry in the services list) and the node's. */
async function counts() {
  const page = await evaluate(`(() => {
    const read = (badges) => Object.fromEntries([...badges].map((b) => b.textContent.trim().split(' ')).map(([s, n]) => [s, Number(n)]));
    return {
      summary: read(document.querySelectorAll('.svc-summary .counts')[0].querySelectorAll('[data-key]')),
      list: read(document.querySelectorAll('[data-testid=service-item][data-service=${SERVICE}] .badge')),
      listed: Number(document.querySelector('[data-testid=instance-count]').textContent),
    };
  })()`);
  const answer = await call('GET', '/v1/services');
  const summary = JSON.parse(answer.text).services.find((s) => s.name === SERVICE);
  const server = Object.fromEntries(Object.entries(summary.byStatus).filter(([, n]) => n > 0));
  const same = (a) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(server).sort());
  return { page, server, instances: summary.instances, equal: same(page.summary) && same(page.list) && page.listed === summary.instances };
}

/**
 * A cold load of the console at `hash`, signed in (the token stays in the tab's session storage): the
 * browser's cache cleared, the page reloaded, then the `muster-console-ready` mark's time from navigation
 * start and the bytes transferred (headers and compressed bodies) of what had arrived by then.
 */
async function coldLoad(hash) {
  await evaluate(`location.hash = ${JSON.stringify(hash)}; true`);
  await sleep(500);
  await send('Network.clearBrowserCache');
  const loaded = nextEvent('Page.loadEventFired');
  await send('Page.reload', { ignoreCache: true });
  await loaded;
  await waitFor('the muster-console-ready mark', `performance.getEntriesByName('muster-console-ready').length`, 60_000);
  return evaluate(`(() => {
    const ready = performance.getEntriesByName('muster-console-ready')[0].startTime;
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
      .filter((e) => e.responseEnd <= ready);
    const sum = (list) => list.reduce((total, e) => total + e.transferSize, 0);
    const console = entries.filter((e) => new URL(e.name).pathname.startsWith('/console/'));
    return { ready, bytes: sum(entries), consoleBytes: sum(console), decoded: console.reduce((t, e) => t + e.decodedBodySize, 0),
      requests: entries.length, cached: entries.filter((e) => e.transferSize === 0).length };
  })()`);
}

// --- the run ------------------------------------------------------------------------------------------------

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const pct = (cpu, wall) => `${((100 * cpu) / wall).toFixed(1)} %`;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
let exit = 0;
try {
  const registration = await register();
  console.log(`registered ${INSTANCES} instances of ${SERVICE} in ${registration} ms`);
  await connect();
  await send('Page.enable');
  await send('Runtime.enable');
  await send('Performance.enable');

  // Sign in through the form, as an operator does, then the Services screen.
  const loaded = nextEvent('Page.loadEventFired');
  await send('Page.navigate', { url: `${BASE}/console/index.html` });
  await loaded;
  await waitFor('the sign-in form', `document.getElementById('token')`);
  await evaluate(`document.getElementById('token').value = ${JSON.stringify(TOKEN)};
    document.querySelector('#sign-in button[type=submit]').click(); true`);
  await waitFor('the first screen', `document.getElementById('screen').dataset.ready === 'true'`);
  await evaluate(`location.hash = '#/services'; true`);
  await waitFor('the services list', `document.getElementById('screen').dataset.screen === 'services'
    && document.getElementById('screen').dataset.ready === 'true'
    && document.querySelector('[data-testid=service-item][data-service=${SERVICE}]')`);

  // (a) From the click to 10,000 listed (the count written, rows drawn), timed in the page, once a frame.
  const openMillis = await evaluate(`new Promise((resolve, reject) => {
    const started = performance.now();
    document.querySelector('[data-testid=service-item][data-service=${SERVICE}]').click();
    const check = () => {
      const count = document.querySelector('[data-testid=instance-count]');
      if (count && count.textContent === '${INSTANCES}' && document.querySelector('[data-testid=instance-row]')) resolve(performance.now() - started);
      else if (performance.now() - started > 60000) reject(new Error('not listed after 60 s'));
      else requestAnimationFrame(check);
    };
    check();
  })`);
  console.log(`listed ${INSTANCES} after ${openMillis.toFixed(0)} ms`);
  await sleep(5000); // past the first lease read (every 5 s) and the work that follows opening

  // (b) idle, (c) under the driver.
  const idle = await cpuDuring(() => sleep(IDLE_SECONDS * 1000));
  const revisionBefore = Number(await evaluate(`document.querySelector('[data-testid=screen-revision]').dataset.revision`));
  const load = await cpuDuring(drive);
  const driven = load.result;
  console.log(`driver: ${driven.sent} PATCHes sent in ${driven.sendMillis} ms, ${driven.answered} answered, ${driven.failed} failed, p99 ${driven.p99} ms`);

  // (d) The page must end where the node is (the services list refreshes at most once a second).
  let check;
  for (let waited = 0; waited <= 10_000; waited += 500) {
    check = await counts();
    if (check.equal) break;
    await sleep(500);
  }
  const revisionAfter = Number(await evaluate(`document.querySelector('[data-testid=screen-revision]').dataset.revision`));
  console.log(`counts: page ${JSON.stringify(check.page)}, node ${JSON.stringify(check.server)} (${check.instances}); revision shown ${revisionBefore} -> ${revisionAfter}`);
  if (!check.equal) { console.log('FAILED: the page\'s counts are not the node\'s'); exit = 1; }
  if (driven.failed || driven.sent < CHANGES) { console.log('FAILED: the driver did not get all its changes through'); exit = 1; }

  // (e) Cold loads: the landing screen, and the Services screen with the 10,000 open (its list is JSON,
  // which the node does not compress, so that row is mostly data).
  await send('Network.enable');
  const landing = [], services = [];
  for (let i = 0; i < RELOADS; i++) landing.push(await coldLoad('#/cluster'));
  for (let i = 0; i < RELOADS; i++) services.push(await coldLoad(`#/services/${SERVICE}`));
  const summary = (loads) => {
    const times = loads.map((l) => l.ready);
    return `ready ${median(times).toFixed(0)} ms (${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)}), `
      + `${kb(median(loads.map((l) => l.bytes)))} transferred (console assets ${kb(median(loads.map((l) => l.consoleBytes)))}, `
      + `${kb(median(loads.map((l) => l.decoded)))} uncompressed), ${loads[0].requests} requests`;
  };
  if ([...landing, ...services].some((l) => l.cached)) console.log('note: some responses came from a cache (transferSize 0)');

  const changes = driven.answered;
  const perChange = ((load.renderer - (idle.renderer / idle.wall) * load.wall) * 1000) / changes;
  console.log(`
Console figures (Chromium headless, ${idle.renderers} renderer process(es); load average at start ${env('LOAD_AT_START', '?')}):
| what | figure |
|---|---|
| open the service: click → ${INSTANCES.toLocaleString("en-US")} listed | ${openMillis.toFixed(0)} ms |
| renderer CPU idle, ${idle.wall.toFixed(1)} s | ${pct(idle.renderer, idle.wall)} of one core (whole browser ${pct(idle.browser, idle.wall)}; ${idle.layouts} layouts, script ${(idle.script * 1000).toFixed(0)} ms) |
| renderer CPU, ${changes} changes at ${RATE}/s over ${load.wall.toFixed(1)} s | ${pct(load.renderer, load.wall)} of one core (whole browser ${pct(load.browser, load.wall)}; ${load.layouts} layouts, script ${(load.script * 1000).toFixed(0)} ms) |
| renderer CPU a change, above idle | ${perChange.toFixed(2)} ms |
| page counts = node's after the changes | ${check.equal ? 'yes' : 'NO'} |
| cold load #/cluster (median of ${RELOADS}) | ${summary(landing)} |
| cold load #/services/${SERVICE} with ${INSTANCES.toLocaleString("en-US")} (median of ${RELOADS}) | ${summary(services)} |`);
} catch (error) {
  console.log(`FAILED: ${error.message}`);
  exit = 1;
} finally {
  if (pageLog.length) console.log(`page log:\n${pageLog.join('\n')}`);
  try { socket?.close(); } catch { /* closing anyway */ }
  agent.destroy();
}
process.exit(exit);
