package io.muster.spring.discovery;

/**
 * Where registration and discovery count what they do; Micrometer's meters when the application has
 * Micrometer ({@code io.muster.spring.actuate.MicrometerDiscoveryMetrics}), else nothing.
 *
 * <p>Implementations are thread-safe.
 */
public interface DiscoveryMetrics {

    /** Counts nothing. */
    DiscoveryMetrics NONE = new DiscoveryMetrics() {
        @Override
        public void heartbeat(String outcome) {
        }

        @Override
        public void watchReconnect() {
        }
    };

    /** One heartbeat: {@code ok}, {@code reregistered} (the instance or lease was gone) or {@code failed}. */
    void heartbeat(String outcome);

    /** The service watch broke and is being reopened. */
    void watchReconnect();
}
