package io.muster.core;

import java.util.Arrays;
import java.util.List;

/**
 * Everything that can change the store. Each command is a record of this sealed family; the codec
 * gives each a byte tag that is never reused, and {@link KvStore#apply} dispatches on it in one
 * place.
 */
public sealed interface Command {

    /**
     * A command that, when the store accepts it, produces an {@code R}: the result type a write of it
     * returns ({@code Gateway.write}). Otherwise the store answers with a {@link Rejected}.
     * {@code SimulationTest} checks every accepted command's result against its declared type.
     */
    interface Returns<R extends Result> {
    }

    /** {@code expectedModRevision} for "no precondition". */
    long ANY = -1;

    /** {@code expectedModRevision} for "the key must not exist" (an absent key has modRevision 0). */
    long ABSENT = 0;

    /**
     * Stores {@code value} under {@code key}.
     *
     * @param expectedModRevision {@link #ANY}, {@link #ABSENT}, or the modRevision the key must have
     * @param lease               the lease to bind the key to, or 0 for none (which unbinds it)
     */
    record Put(String key, byte[] value, String contentType, long expectedModRevision, long lease)
            implements Command, Returns<PutResult> {

        public Put(String key, byte[] value, String contentType, long expectedModRevision) {
            this(key, value, contentType, expectedModRevision, 0);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Put that && key.equals(that.key) && Arrays.equals(value, that.value)
                    && contentType.equals(that.contentType) && expectedModRevision == that.expectedModRevision
                    && lease == that.lease;
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Put[" + key + ", " + value.length + " bytes " + contentType + ", expect=" + expectedModRevision
                    + (lease == 0 ? "" : ", lease=" + lease) + "]";
        }
    }

    /**
     * Removes {@code key} and its history.
     *
     * @param expectedModRevision {@link #ANY} or the modRevision the key must have
     */
    record Delete(String key, long expectedModRevision) implements Command, Returns<DeleteResult> {
    }

    /**
     * A multi-key transaction: if every compare holds, the {@code then} operations run, otherwise the
     * {@code otherwise} operations; either way all of one branch at one revision, or nothing.
     */
    record Txn(List<Compare> compares, List<Op> then, List<Op> otherwise) implements Command, Returns<TxnResult> {

        public Txn {
            compares = List.copyOf(compares);
            then = List.copyOf(then);
            otherwise = List.copyOf(otherwise);
        }

        public int size() {
            return compares.size() + then.size() + otherwise.size();
        }
    }

    /** Grants a lease of {@code ttlMillis}; its id is the revision of this command. */
    record GrantLease(long ttlMillis) implements Command, Returns<LeaseGranted> {
    }

    /** Ends lease {@code id} at a client's request, deleting every key bound to it. */
    record RevokeLease(long id) implements Command, Returns<LeasesEnded> {
    }

    /**
     * Ends leases whose time ran out, deleting every key bound to them. Proposed by the leader, which
     * alone keeps lease timers; ids that are no longer leases when it is applied are skipped.
     */
    record ExpireLeases(List<Long> ids) implements Command, Returns<LeasesEnded> {

        public ExpireLeases {
            ids = List.copyOf(ids);
        }
    }

    /**
     * Registers (or updates) an instance. With {@code lease} 0 a new instance gets a new lease of
     * {@code ttlMillis} granted by this very command (its id is this revision) and an existing one
     * keeps its lease; a non-zero {@code lease} binds the instance to that lease.
     */
    record RegisterInstance(String service, String id, String address, int port, String zone, List<String> tags,
            java.util.SortedMap<String, String> metadata, Instance.Status status, long lease, long ttlMillis)
            implements Command, Returns<InstanceWritten> {

        public RegisterInstance {
            tags = List.copyOf(tags);
            metadata = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(metadata));
        }
    }

    /** Removes an instance (its lease lives on). */
    record DeregisterInstance(String service, String id) implements Command, Returns<InstanceRemoved> {
    }

    /** Changes an instance's status, e.g. to {@code OUT_OF_SERVICE} to drain it. */
    record SetInstanceStatus(String service, String id, Instance.Status status)
            implements Command, Returns<InstanceWritten> {
    }

    /**
     * Takes lock {@code name} for {@code owner} under {@code lease}, or queues behind its holder. Sent
     * again by the same lease and owner, it changes nothing and reports where they stand.
     */
    record AcquireLock(String name, long lease, String owner) implements Command, Returns<LockResult> {
    }

    /** Lets go of lock {@code name} if {@code token} is its holder's; the first live waiter takes it. */
    record ReleaseLock(String name, long token) implements Command, Returns<LockResult> {
    }

    /** Leaves the queue of lock {@code name} (a client whose wait ran out); a holder keeps the lock. */
    record CancelLockWait(String name, long lease, String owner) implements Command, Returns<LockResult> {
    }

    /**
     * Creates API token {@code name}, kept as the SHA-256 of its secret (the secret itself never
     * reaches the log). With {@code replace} an existing token of that name is replaced (the leader
     * uses this to keep the configured bootstrap token current); without it an existing name is
     * refused. {@code services} confines it to those services ({@link Token}); a token that names
     * any needs cluster version 3.
     */
    record CreateToken(String name, byte[] secretHash, Role role, List<String> prefixes, boolean replace,
            List<String> services) implements Command, Returns<TokenResult> {

        public CreateToken {
            prefixes = List.copyOf(prefixes);
            services = List.copyOf(services);
        }

        /** A token without service scopes. */
        public CreateToken(String name, byte[] secretHash, Role role, List<String> prefixes, boolean replace) {
            this(name, secretHash, role, prefixes, replace, List.of());
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof CreateToken that && name.equals(that.name)
                    && Arrays.equals(secretHash, that.secretHash) && role == that.role
                    && prefixes.equals(that.prefixes) && replace == that.replace && services.equals(that.services);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }

        /** Never prints the hash. */
        @Override
        public String toString() {
            return "CreateToken[" + name + ", " + role.label() + ", prefixes=" + prefixes
                    + (services.isEmpty() ? "" : ", services=" + services) + (replace ? ", replace" : "") + "]";
        }
    }

    /** Revokes API token {@code name}: every write it authored that is applied after this is refused. */
    record RevokeToken(String name) implements Command, Returns<TokenResult> {
    }

    /**
     * States the voters the deployment wants ({@link DesiredVoters}); applied only when
     * {@code generation} is newer than the one in force. Proposed by Muster itself, never by a client.
     */
    record SetDesiredVoters(long generation, List<String> peers) implements Command, Returns<DesiredVotersSet> {

        public SetDesiredVoters {
            peers = List.copyOf(peers);
        }
    }

    /**
     * Raises the cluster's feature level ({@link ClusterVersion}) to {@code level}; applied only when it
     * is higher than the level in force. Proposed by Muster itself once every member supports
     * {@code level}, never by a client. (Level 2.)
     */
    record RaiseClusterVersion(int level) implements Command, Returns<ClusterVersionRaised> {
    }

    /**
     * Deletes every key that starts with {@code prefix} (not empty), with its history, as one revision.
     * (Level 2.)
     */
    record DeletePrefix(String prefix) implements Command, Returns<PrefixDeleted> {
    }

    /**
     * Drafts a release of {@code documents} (level 4, like every release command): the store records
     * each key's modRevision now as its base, and prunes the releases of those documents' groups to
     * {@code retention}. {@code validation} is what the proposing node found.
     */
    record CreateRelease(String title, String description, List<Release.Draft> documents,
            Release.Validation validation, Release.Retention retention) implements Command, Returns<ReleaseResult> {

        public CreateRelease {
            documents = List.copyOf(documents);
        }
    }

    /**
     * Replaces a draft's title, description and documents, if the release is still at
     * {@code expectedRevision} ({@link #ANY} for no check). A document the draft already had keeps its
     * base; a new one gets the key's modRevision now.
     */
    record UpdateRelease(long id, long expectedRevision, String title, String description,
            List<Release.Draft> documents, Release.Validation validation) implements Command, Returns<ReleaseResult> {

        public UpdateRelease {
            documents = List.copyOf(documents);
        }
    }

    /** Takes every document's modRevision now as the base of draft or gray release {@code id}. */
    record RebaseRelease(long id) implements Command, Returns<ReleaseResult> {
    }

    /**
     * Starts gray for draft {@code id}, or changes the rule of gray release {@code id}: serving a release to
     * some callers is publishing it to them, so it needs the same {@code approval} as a publish.
     */
    record GrayRelease(long id, Release.GrayRule rule, Release.Approval approval) implements Command, Returns<ReleaseResult> {
    }

    /**
     * Publishes draft or gray release {@code id} in this one entry: unless {@code force}, every document
     * must still be at its base; then all are written at this revision, if {@code approval} holds.
     */
    record PublishRelease(long id, String comment, boolean force, Release.Approval approval)
            implements Command, Returns<ReleaseResult> {
    }

    /** Gives up draft or gray release {@code id}; final. */
    record AbandonRelease(long id) implements Command, Returns<ReleaseResult> {
    }

    /**
     * Undoes published release {@code id} by publishing, as a new release of this revision, what its
     * documents held before it. Unless {@code force}, every document must still be as {@code id} left it.
     */
    record RollbackRelease(long id, String comment, boolean force, Release.Retention retention)
            implements Command, Returns<ReleaseResult> {
    }

    /**
     * Publishes, as a new release of this revision, document {@code key} as published release
     * {@code toRelease} wrote it (or, with {@code before}, as it was just before that release).
     */
    record RestoreDocument(String key, long toRelease, boolean before, String comment, Release.Retention retention)
            implements Command, Returns<ReleaseResult> {
    }

    /**
     * A client's command with who sent it: the name of the token the request carried ({@link #ANONYMOUS}
     * from a node with security turned off) and the request id. Apply checks, against the tokens in the
     * state at that point of the log, that the token still exists and may issue {@code command}, so a
     * write ordered after a committed revoke is refused on every replica. Commands without an author
     * come from Muster itself (lease expiry, the bootstrap token).
     *
     * <p>With an {@code idempotencyKey} (the client's {@code Idempotency-Key}), apply remembers the
     * result under the principal and key for {@code idempotencyWindowMillis} of leader time; the same
     * command sent again in that window gets the remembered result and changes nothing, so a client
     * may retry a write whose outcome it did not learn.
     */
    record Authored(String principal, String requestId, String idempotencyKey, long idempotencyWindowMillis,
            Command command) implements Command {

        /** The principal of a request to a node that does not check tokens. */
        public static final String ANONYMOUS = "";
        /** {@code idempotencyKey} of a request without one. */
        public static final String NO_KEY = "";

        /** A command without an idempotency key. */
        public Authored(String principal, String requestId, Command command) {
            this(principal, requestId, NO_KEY, 0, command);
        }

        public boolean idempotent() {
            return !idempotencyKey.isEmpty();
        }

        /** The command itself, without its author. */
        public static Command unwrap(Command command) {
            return command instanceof Authored authored ? authored.command() : command;
        }
    }
}
