/**
 * The key/value API: {@code /v1/kv} and {@code /v1/txn}. Controllers validate a request completely
 * (a rejected request proposes nothing), translate it to a core command or read, and translate the
 * result back to HTTP. No business rule lives here.
 */
package io.muster.kv;
