// A line diff for two versions of a document: Myers' O(ND) algorithm on what remains once the common
// prefix and suffix are trimmed, laid out as rows of a two-column view with unchanged runs folded.
// Work is capped: past `maxEdits` differing lines (or the step budget) the middle is shown as
// replaced whole, which is still a correct diff, only a coarse one. `diffView` shows such a diff.

import { h } from './ui.js';

const DEFAULTS = { context: 3, maxEdits: 1000, maxSteps: 20_000_000 };
const MAX_DIFF_ROWS = 4000;

/** The lines of a text; a final newline ends the last line rather than starting an empty one. */
export function linesOf(text) {
  if (!text) return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Compares `before` and `after` line by line. Answers {rows, removed, added, exact}: each row is
 * {type: 'same' | 'change' | 'fold', left, right, count}, where left and right are {number, text} or
 * null (no line on that side) and a 'fold' row stands for `count` unchanged lines. `exact` is false
 * when the cap made the diff coarse.
 */
export function diffLines(before, after, options = {}) {
  const { context, maxEdits, maxSteps } = { ...DEFAULTS, ...options };
  const a = linesOf(before);
  const b = linesOf(after);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix += 1;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix
      && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix += 1;
  const middleA = a.slice(prefix, a.length - suffix);
  const middleB = b.slice(prefix, b.length - suffix);
  let middle = myers(middleA, middleB, maxEdits, maxSteps);
  const exact = middle !== null;
  if (!middle) {
    middle = [...middleA.map(() => 'del'), ...middleB.map(() => 'add')];
  }
  const script = [...Array(prefix).fill('same'), ...middle, ...Array(suffix).fill('same')];
  const rows = pair(script, a, b);
  return {
    rows: fold(rows, context),
    removed: script.filter((op) => op === 'del').length,
    added: script.filter((op) => op === 'add').length,
    exact,
  };
}

/** The edit script ('same', 'del', 'add' per line) turning `a` into `b`, or null past the caps. */
function myers(a, b, maxEdits, maxSteps) {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return [...a.map(() => 'del'), ...b.map(() => 'add')];
  const ids = new Map();
  const intern = (line) => {
    let id = ids.get(line);
    if (id === undefined) {
      id = ids.size;
      ids.set(line, id);
    }
    return id;
  };
  const x1 = Int32Array.from(a, intern);
  const y1 = Int32Array.from(b, intern);
  const limit = Math.min(n + m, maxEdits);
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  const trace = [];
  let steps = 0;
  for (let d = 0; d <= limit; d += 1) {
    // Only v[-d-1 .. d+1] is read at this step: keep that much for the walk back.
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      const start = x;
      let y = x - k;
      while (x < n && y < m && x1[x] === y1[y]) {
        x += 1;
        y += 1;
      }
      steps += 1 + x - start;
      v[offset + k] = x;
      if (x >= n && y >= m) return walkBack(trace, n, m);
      if (steps > maxSteps) return null;
    }
  }
  return null;
}

function walkBack(trace, n, m) {
  const ops = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d -= 1) {
    const v = trace[d];
    const at = (k) => v[k + d + 1];
    const k = x - y;
    const previousK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const previousX = at(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      ops.push('same');
      x -= 1;
      y -= 1;
    }
    if (d > 0) ops.push(x === previousX ? 'add' : 'del');
    x = previousX;
    y = previousY;
  }
  return ops.reverse();
}

/** Rows side by side: within each run of changes, the i-th removed line faces the i-th added one. */
function pair(script, a, b) {
  const rows = [];
  let i = 0;
  let j = 0;
  let index = 0;
  while (index < script.length) {
    if (script[index] === 'same') {
      rows.push({ type: 'same', left: { number: i + 1, text: a[i] }, right: { number: j + 1, text: b[j] } });
      i += 1;
      j += 1;
      index += 1;
      continue;
    }
    const removed = [];
    const added = [];
    while (index < script.length && script[index] !== 'same') {
      if (script[index] === 'del') {
        removed.push({ number: i + 1, text: a[i] });
        i += 1;
      } else {
        added.push({ number: j + 1, text: b[j] });
        j += 1;
      }
      index += 1;
    }
    for (let r = 0; r < Math.max(removed.length, added.length); r += 1) {
      rows.push({ type: 'change', left: removed[r] || null, right: added[r] || null });
    }
  }
  return rows;
}

/** Keeps `context` unchanged lines around each change and folds longer unchanged runs. */
function fold(rows, context) {
  const out = [];
  let index = 0;
  while (index < rows.length) {
    if (rows[index].type !== 'same') {
      out.push(rows[index]);
      index += 1;
      continue;
    }
    let end = index;
    while (end < rows.length && rows[end].type === 'same') end += 1;
    const keepBefore = index === 0 ? 0 : context;
    const keepAfter = end === rows.length ? 0 : context;
    if (end - index > keepBefore + keepAfter + 1) {
      out.push(...rows.slice(index, index + keepBefore));
      out.push({ type: 'fold', left: null, right: null, count: end - index - keepBefore - keepAfter });
      out.push(...rows.slice(end - keepAfter, end));
    } else {
      out.push(...rows.slice(index, end));
    }
    index = end;
  }
  return out;
}

/** Two versions side by side, line by line, with unchanged runs folded. */
export function diffView(before, after, leftLabel, rightLabel, note) {
  const result = diffLines(before, after);
  const summary = result.removed + result.added === 0
    ? 'The two versions have the same content.'
    : `${plural(result.removed, 'line')} removed, ${plural(result.added, 'line')} added.`;
  const rows = result.rows.slice(0, MAX_DIFF_ROWS);
  const cell = (line, kind) => {
    if (!line) return h('div', { class: 'gap' });
    return h('div', { class: kind || null },
      h('span', { class: 'ln', text: String(line.number) }),
      h('span', { class: 'mark', text: kind === 'del' ? '−' : kind === 'add' ? '+' : ' ' }),
      line.text);
  };
  return h('div', { class: 'diff-view', data: { testid: 'diff-view' } },
    h('p', { class: 'diff-summary' }, summary, note ? ` ${note}` : '',
      result.exact ? '' : ' The versions differ too much to align line by line: the changed part is shown replaced whole.'),
    result.removed + result.added === 0 ? null : h('div', { class: 'diff', role: 'group', 'aria-label': `Changes from ${leftLabel} to ${rightLabel}` },
      h('div', { class: 'head', text: leftLabel }),
      h('div', { class: 'head', text: rightLabel }),
      rows.map((row) => (row.type === 'fold'
        ? h('div', { class: 'fold', text: `⋯ ${plural(row.count, 'unchanged line')}` })
        : [cell(row.left, row.type === 'change' ? 'del' : null), cell(row.right, row.type === 'change' ? 'add' : null)]))),
    result.rows.length > rows.length ? h('p', { class: 'hint', text: `The first ${rows.length} of ${result.rows.length} rows are shown.` }) : null);
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
