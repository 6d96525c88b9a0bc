/**
 * Small helpers that several features share and that belong to none of them: thread factories
 * ({@link io.muster.support.DaemonThreads}), the lifecycle of a background duty on a thread of its own
 * ({@link io.muster.support.PeriodicDuty}) and the deadline of a call that retries
 * ({@link io.muster.support.Deadline}) and the conventions of the meters
 * ({@link io.muster.support.MeterConventions}). No business rule lives here, and nothing here depends on
 * another Muster package.
 */
package io.muster.support;
