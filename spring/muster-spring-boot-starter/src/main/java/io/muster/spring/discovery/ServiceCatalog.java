package io.muster.spring.discovery;

import java.util.Collection;
import java.util.List;
import org.springframework.cloud.client.ServiceInstance;

/**
 * What the discovery cache needs of Muster: list a service, list the services, and watch a set of
 * services. The seam between the cache's logic and HTTP; {@link MusterServiceCatalog} is the real one.
 *
 * <p>Implementations are thread-safe.
 */
public interface ServiceCatalog {

    /** A service's UP instances as read at {@code revision}. */
    record Listing(String service, long revision, List<ServiceInstance> instances) {
    }

    /** What a watch delivers: each event (name and data), then exactly one {@link #closed}. */
    interface WatchListener {

        void event(String name, String data);

        /** The stream ended; {@code failure} is {@code null} when the node (or a close) ended it. */
        void closed(Throwable failure);
    }

    /** The history before the requested revision is gone (410 watch-compacted): list again. */
    final class CompactedException extends RuntimeException {

        public CompactedException(String detail) {
            super(detail);
        }
    }

    /**
     * Lists {@code service}'s UP instances as of {@code minRevision} or later.
     *
     * @throws io.muster.spring.client.MusterUnavailableException when no node answers it (with the problem's detail)
     */
    Listing list(String service, long minRevision);

    /** The names of every registered service. */
    List<String> services();

    /**
     * Opens one stream of the changes to {@code services} from {@code fromRevision}; closing the handle
     * ends it.
     *
     * @throws CompactedException when {@code fromRevision} is no longer retained
     * @throws io.muster.spring.client.MusterUnavailableException when no node opens it
     */
    AutoCloseable watch(Collection<String> services, long fromRevision, WatchListener listener);

    /**
     * Splits the services to watch over streams, each opened by one {@link #watch}: by default all in one.
     * Every service is in exactly one group, in the given order.
     */
    default List<List<String>> watchGroups(Collection<String> services) {
        return List.of(List.copyOf(services));
    }

    /** The node the last answer came from, for health details. */
    String node();
}
