/**
 * Configuration releases: a change to an application's configuration documents is prepared as a
 * draft, may be served first to a gray subset of instances, is published to all of them at once, and
 * can be rolled back; before publishing, the documents are validated against the application's own
 * Spring Boot configuration metadata (unknown keys with a "did you mean", value types, hinted values,
 * deprecations), which is uploaded once, compacted and stored without descriptions.
 *
 * <p>Rules: validation runs on the node that receives the request, never in apply, and its outcome is
 * recorded in the command; it depends only on the stored compact schema and the document, so every
 * node that validates the same pair finds the same problems in the same order.
 */
package io.muster.release;
