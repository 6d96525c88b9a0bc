/**
 * Small helpers that several features share and that belong to none of them (thread factories, the conventions of the meters). No
 * business rule lives here, and nothing here depends on another Muster package.
 */
package io.muster.support;
