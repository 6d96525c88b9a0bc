/**
 * The service registry's API: instances registered with a lease, heart-beating through the leader's
 * lease timers (never the log), looked up with filters. The rules and the state live in the core
 * ({@code Instance}, {@code InstanceRules}); this package only translates HTTP.
 */
package io.muster.registry;
