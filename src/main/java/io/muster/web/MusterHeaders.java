package io.muster.web;

/**
 * The response headers Muster adds, named once: clients and the OpenAPI description rely on the
 * spelling, so no controller spells them itself.
 */
public final class MusterHeaders {

    /** The revision an answer reflects: the store's for reads, the write's own for writes. */
    public static final String REVISION = "X-Muster-Revision";
    /** The revision the H2 view reflected when it answered. */
    public static final String VIEW_REVISION = "X-Muster-View-Revision";
    /** The Raft term of the node that answered. */
    public static final String TERM = "X-Muster-Term";
    /** The leader as the node that answered knows it. */
    public static final String LEADER = "X-Muster-Leader";
    /** A key's create revision, version and lease (on a read of the key). */
    public static final String CREATE_REVISION = "X-Muster-Create-Revision";
    public static final String VERSION = "X-Muster-Version";
    public static final String LEASE = "X-Muster-Lease";
    /**
     * On an answer served from this node's applied state while it hears from no leader (a minority
     * node): how long it has not, and the last leader it knew. The answer may be behind the majority.
     */
    public static final String LEADERLESS = "X-Muster-Leaderless";
    /** A Spring Cloud Config environment's version (the digest of what it serves). */
    public static final String CONFIG_VERSION = "X-Muster-Config-Version";

    private MusterHeaders() {
    }
}
