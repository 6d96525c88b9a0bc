// What the Configuration screen (screens/config.js) and its panes (documents.js, releases.js) share: the
// key prefix, the routes' hashes and small text helpers.

export const PREFIX = 'config/';

const SHORT_TYPES = {
  'application/yaml': 'yaml', 'application/x-yaml': 'yaml', 'text/yaml': 'yaml',
  'text/x-java-properties': 'properties', 'application/json': 'json',
};

/** The hash of a route of the screen: #/config, #/config/{app}/{profile}, #/config/~new, #/config/~releases[/{id}]. */
export function hashOf(route) {
  switch (route.kind) {
    case 'doc': return `#/config/${encodeURIComponent(route.app)}/${encodeURIComponent(route.profile)}`;
    case 'new': return '#/config/~new';
    case 'releases': return '#/config/~releases';
    case 'release': return `#/config/~releases/${encodeURIComponent(route.id)}`;
    default: return '#/config';
  }
}

export function shortType(contentType) {
  const type = String(contentType || '').split(';')[0].trim().toLowerCase();
  return SHORT_TYPES[type] || type;
}

export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
