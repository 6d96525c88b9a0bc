package io.muster.spring.actuate;

import java.util.Map;

/**
 * One section of the {@code muster} actuator endpoint and of the {@code muster} health details:
 * registration, discovery, configuration. Any bean of this type is shown under its {@link #name()}.
 *
 * <p>Implementations must be thread-safe: the endpoint reads them on request threads.
 */
public interface MusterEndpointContributor {

    /** The section's name, e.g. {@code registration}. */
    String name();

    /** The section's content: values Jackson can write (strings, numbers, lists, maps). */
    Map<String, Object> details();
}
