package io.muster.core;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A registered service instance: where one endpoint of a service answers, and how it is doing. It is
 * bound to a lease and goes when the lease ends (its owner stopped heart-beating), when it is
 * deregistered, or never otherwise.
 *
 * @param service          the service's name
 * @param id               the instance's id, unique within its service
 * @param address          host name or IP address
 * @param port             1-65535
 * @param zone             the failure domain it runs in ({@code ""}: none)
 * @param tags             free-form labels, in the order given, without duplicates
 * @param metadata         free-form key/value pairs, by key
 * @param status           what it says it is doing
 * @param lease            the lease it is bound to
 * @param createRevision   the revision that registered it
 * @param modRevision      the revision that last changed it
 * @param modifiedAtMillis the leader's time at that change
 */
public record Instance(String service, String id, String address, int port, String zone, List<String> tags,
        SortedMap<String, String> metadata, Status status, long lease, long createRevision, long modRevision,
        long modifiedAtMillis) {

    public Instance {
        tags = List.copyOf(tags);
        metadata = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
    }

    /** What an instance says it is doing; only {@code UP} instances are served by default. */
    public enum Status {
        UP, DOWN, STARTING,
        /** Being drained: alive, but should get no new traffic. */
        OUT_OF_SERVICE
    }

    /** The store's key for an instance: {@code service/id} (neither may contain {@code /}). */
    public static String key(String service, String id) {
        return service + "/" + id;
    }

    public String key() {
        return key(service, id);
    }
}
