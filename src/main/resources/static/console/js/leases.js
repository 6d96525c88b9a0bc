// The node's leases from GET /v1/leases, page by page following `next`, for the screens that show lease
// times (Services, Coordination). A registry of 10,000 instances has as many leases.

import { query } from './api.js';
import { latest } from './ui.js';

const PAGE = 10000;
const MAX_PAGES = 20; // 200,000 leases: far beyond what a console should page through every 5 s

/**
 * A function reading every lease with a screen's context `ctx` (its `api`). Each read resolves to
 * - `{state: 'ok', leases, revision}`: `leases` a Map by lease id, in the node's order, of `{lease, at}`
 *   (`at` is when its page arrived, to count its time left down from), `revision` the last page's;
 * - `{state: 'missing'}`: the node does not serve GET /v1/leases (404, or 405 where only POST is served);
 * - `{state: 'failed', problem}`: any other failure;
 * - `null` when a later read of the same reader began meanwhile: overlapping reads may finish out of
 *   order, and only the latest one's answer is to be shown.
 */
export function leaseReader(ctx) {
  const newest = latest();
  return async function read() {
    const current = newest();
    let result;
    try {
      const leases = new Map();
      let after = '';
      let revision = 0;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const answer = await ctx.api(`/v1/leases${query({ limit: PAGE, after })}`);
        if (!current()) return null;
        const at = Date.now();
        revision = answer.body.revision || answer.revision || revision;
        for (const lease of answer.body.leases || []) leases.set(lease.id, { lease, at });
        if (!answer.body.next) break;
        after = answer.body.next;
      }
      result = { state: 'ok', leases, revision };
    } catch (problem) {
      result = problem.status === 404 || problem.status === 405 ? { state: 'missing' } : { state: 'failed', problem };
    }
    return current() ? result : null;
  };
}
