// Syntax colouring for configuration documents: small line-oriented tokenizers for YAML, Java properties
// and JSON (no library). Tokens always cover the text exactly, and become spans whose text is set as
// text, so a document can never inject markup. `codeView` shows a document so coloured.

import { h } from './ui.js';

const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml']);
const YAML_NUMBER = /^[-+]?(?:0x[0-9a-fA-F_]+|0o?[0-7_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?|\.(?:inf|Inf|INF|nan|NaN|NAN))$/;
// SnakeYAML reads YAML 1.1, so yes/no/on/off are booleans too.
const YAML_LITERAL = /^(?:true|false|yes|no|on|off|null|~)$/i;
const PLAIN_NUMBER = /^[-+]?(?:\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+)$/;
const MAX_HIGHLIGHT_CHARS = 256 * 1024;

/** 'yaml', 'properties', 'json' or 'text' for a configuration document's content type. */
export function formatOf(contentType) {
  const type = String(contentType || '').split(';')[0].trim().toLowerCase();
  if (YAML_TYPES.has(type)) return 'yaml';
  if (type === 'text/x-java-properties') return 'properties';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  return 'text';
}

/** Tokens [{text, kind}] covering `text` exactly; kind is key, str, num, com, punct or null (plain). */
export function tokenize(text, format) {
  const out = [];
  if (format === 'json') json(text, out);
  else if (format === 'yaml' || format === 'properties') {
    const state = {};
    const lines = text.split('\n');
    lines.forEach((line, index) => {
      if (format === 'yaml') yamlLine(line, out, state);
      else propertiesLine(line, out, state);
      if (index < lines.length - 1) push(out, '\n', null);
    });
  } else push(out, text, null);
  return out;
}

/**
 * The document as a fragment of one span.line per line (CSS numbers them), tokens inside as spans
 * with tok-* classes. Very large documents are shown uncoloured: colouring them would stall the tab.
 */
export function highlight(text, contentType) {
  const format = text.length > MAX_HIGHLIGHT_CHARS ? 'text' : formatOf(contentType);
  const fragment = document.createDocumentFragment();
  let line = document.createElement('span');
  line.className = 'line';
  const endLine = () => {
    fragment.append(line);
    line = document.createElement('span');
    line.className = 'line';
  };
  for (const token of tokenize(text, format)) {
    const parts = token.text.split('\n');
    parts.forEach((part, index) => {
      if (index > 0) endLine();
      if (!part) return;
      if (token.kind) {
        const span = document.createElement('span');
        span.className = `tok-${token.kind}`;
        span.textContent = part;
        line.append(span);
      } else {
        line.append(document.createTextNode(part));
      }
    });
  }
  // A final newline ends the last line; it does not start an empty one.
  if (line.childNodes.length || !text.endsWith('\n')) fragment.append(line);
  return fragment;
}

/** A read-only view of a document: numbered lines, coloured by its content type. */
export function codeView(text, contentType, label, testid) {
  return h('pre', { class: 'code numbered', tabindex: 0, role: 'region', 'aria-label': label, data: { testid } }, highlight(text || '', contentType));
}

function push(out, text, kind) {
  if (!text) return;
  const last = out[out.length - 1];
  if (last && last.kind === kind) last.text += text;
  else out.push({ text, kind });
}

function scalarKind(value) {
  if (YAML_LITERAL.test(value) || YAML_NUMBER.test(value)) return 'num';
  return 'str';
}

// ------------------------------------------------------------------------------------------------ YAML

function yamlLine(line, out, state) {
  const indent = line.match(/^[ \t]*/)[0];
  if (state.block !== undefined) {
    if (line.trim() === '' || indent.length > state.block) {
      push(out, line, 'str');
      return;
    }
    state.block = undefined;
  }
  if (state.quote) {
    const end = closingQuote(line, 0, state.quote);
    if (end < 0) {
      push(out, line, 'str');
      return;
    }
    push(out, line.slice(0, end + 1), 'str');
    state.quote = undefined;
    yamlValue(line.slice(end + 1), out, state, indent.length, 0);
    return;
  }
  push(out, indent, null);
  let rest = line.slice(indent.length);
  if (rest.startsWith('#')) {
    push(out, rest, 'com');
    return;
  }
  const marker = rest.match(/^(?:---|\.\.\.)(?=\s|$)/);
  if (marker) {
    push(out, marker[0], 'punct');
    yamlValue(rest.slice(marker[0].length), out, state, indent.length, 0);
    return;
  }
  for (let item = rest.match(/^([-?])(\s+|$)/); item; item = rest.match(/^([-?])(\s+|$)/)) {
    push(out, item[1], 'punct');
    push(out, item[2], null);
    rest = rest.slice(item[0].length);
  }
  const key = yamlKey(rest);
  if (key) {
    push(out, key.key, 'key');
    push(out, key.space, null);
    push(out, ':', 'punct');
    rest = rest.slice(key.key.length + key.space.length + 1);
  }
  yamlValue(rest, out, state, indent.length, 0);
}

/** A mapping key at the start of `text` ("name:" followed by a space or the end), or null. */
function yamlKey(text) {
  let end = -1;
  if (text.startsWith('"') || text.startsWith("'")) {
    end = closingQuote(text, 1, text[0]);
    if (end < 0) return null;
    end += 1;
  } else {
    if (!text || '[]{}#&*!|>%@`,'.includes(text[0])) return null;
    for (let i = 0; i < text.length; i += 1) {
      if (text[i] === '#' && i > 0 && /\s/.test(text[i - 1])) return null;
      if (text[i] === ':' && (i + 1 === text.length || /\s/.test(text[i + 1]))) {
        end = i;
        break;
      }
    }
    if (end <= 0) return null;
  }
  const space = text.slice(end).match(/^[ \t]*/)[0];
  const after = end + space.length;
  if (text[after] !== ':' || (after + 1 < text.length && !/\s/.test(text[after + 1]))) return null;
  const key = text.slice(0, end).replace(/[ \t]+$/, '');
  return { key, space: text.slice(key.length, after) };
}

/** The index of the quote closing a string opened before `from`, or -1. */
function closingQuote(text, from, quote) {
  for (let i = from; i < text.length; i += 1) {
    if (quote === '"' && text[i] === '\\') i += 1;
    else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i += 1;
      else return i;
    }
  }
  return -1;
}

function yamlValue(text, out, state, indent, depth) {
  let i = 0;
  let flow = depth;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = rest.match(/^[ \t]+/);
    if (space) {
      push(out, space[0], null);
      i += space[0].length;
      continue;
    }
    const c = rest[0];
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      push(out, rest, 'com');
      return;
    }
    if (c === '"' || c === "'") {
      const end = closingQuote(rest, 1, c);
      if (end < 0) {
        push(out, rest, 'str');
        state.quote = c;
        return;
      }
      push(out, rest.slice(0, end + 1), 'str');
      i += end + 1;
      continue;
    }
    if ('[{'.includes(c)) flow += 1;
    if (']}'.includes(c)) flow = Math.max(0, flow - 1);
    if ('[]{},'.includes(c) || (c === ':' && flow > 0)) {
      push(out, c, 'punct');
      i += 1;
      continue;
    }
    const decoration = rest.match(/^[&*!][^\s,[\]{}]*/);
    if (decoration) {
      push(out, decoration[0], 'punct');
      i += decoration[0].length;
      continue;
    }
    if (flow === 0 && (c === '|' || c === '>')) {
      const header = rest.match(/^[|>][-+0-9]*/)[0];
      push(out, header, 'punct');
      state.block = indent;
      i += header.length;
      continue;
    }
    let end = i;
    while (end < text.length) {
      const ch = text[end];
      if (ch === '#' && /\s/.test(text[end - 1])) break;
      if (flow > 0 && (',[]{}'.includes(ch) || (ch === ':' && /[\s,\]}]/.test(text[end + 1] || ' ')))) break;
      end += 1;
    }
    const scalar = text.slice(i, end);
    const trimmed = scalar.replace(/[ \t]+$/, '');
    if (flow > 0 && text[end] === ':') push(out, trimmed, 'key');
    else push(out, trimmed, scalarKind(trimmed));
    push(out, scalar.slice(trimmed.length), null);
    i = end;
  }
}

// ------------------------------------------------------------------------------------------ properties

function propertiesLine(line, out, state) {
  if (state.continued) {
    const indent = line.match(/^[ \t\f]*/)[0];
    push(out, indent, null);
    push(out, line.slice(indent.length), 'str');
    state.continued = continues(line);
    return;
  }
  const indent = line.match(/^[ \t\f]*/)[0];
  push(out, indent, null);
  const rest = line.slice(indent.length);
  if (!rest) return;
  if (rest[0] === '#' || rest[0] === '!') {
    push(out, rest, 'com');
    return;
  }
  let end = 0;
  while (end < rest.length && !'=: \t\f'.includes(rest[end])) end += rest[end] === '\\' ? 2 : 1;
  end = Math.min(end, rest.length);
  push(out, rest.slice(0, end), 'key');
  const separator = rest.slice(end).match(/^([ \t\f]*)([=:]?)([ \t\f]*)/);
  push(out, separator[1], null);
  push(out, separator[2], 'punct');
  push(out, separator[3], null);
  const value = rest.slice(end + separator[0].length);
  push(out, value, PLAIN_NUMBER.test(value) || /^(?:true|false)$/i.test(value) ? 'num' : 'str');
  state.continued = continues(line);
}

/** A line ending in an odd number of backslashes continues on the next. */
function continues(line) {
  const slashes = line.match(/\\*$/)[0].length;
  return slashes % 2 === 1;
}

// ------------------------------------------------------------------------------------------------ JSON

function json(text, out) {
  const token = /\s+|"(?:[^"\\\n]|\\.)*"?|[{}[\],:]|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true\b|false\b|null\b|[^]/y;
  const colon = /\s*:/y;
  let match;
  while (token.lastIndex < text.length && (match = token.exec(text))) {
    const value = match[0];
    const c = value[0];
    if (/\s/.test(c)) push(out, value, null);
    else if (c === '"') {
      colon.lastIndex = token.lastIndex;
      push(out, value, colon.test(text) ? 'key' : 'str');
    } else if ('{}[],:'.includes(value)) push(out, value, 'punct');
    else if (value.length > 1 || /\d/.test(c)) push(out, value, 'num');
    else push(out, value, null);
  }
}
