package io.muster.core;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A configuration release: documents changed together, drafted now and published later, optionally
 * served first to a gray set of callers, published as one log entry, rolled back as another (level 4,
 * {@link ClusterVersion}).
 *
 * <p>A release's documents are whole key values, not overlays: publishing writes each of them (or
 * deletes it) at one revision, after checking that none changed since it was drafted or rebased. The
 * store keeps what each document held before a publish, so a rollback and a per-document restore work
 * after the key's own history has rolled over.
 *
 * @param id          the revision that created it
 * @param author      the token that created it ({@code ""} from a node without security)
 * @param editors     every token that wrote its content, the author first, each once: under four-eyes
 *                    none of them may put it in gray or publish it
 * @param documents   what it changes, in key order
 * @param gray        who is served its documents before it is published, or {@code null}
 * @param validation  what checking the documents against the application's schema found
 * @param published   when and by whom it was published, and what it replaced; {@code null} until then
 * @param rollbackOf  the release this one rolls back, or 0
 * @param restoreOf   the release whose document this one restores, or 0
 * @param revision    the revision that last changed it (its entity tag)
 */
public record Release(long id, String title, String description, String author, List<String> editors,
        long createdAtMillis, List<Document> documents, State state, Gray gray, Validation validation,
        Published published, long rollbackOf, long restoreOf, long revision) {

    /** The most documents one release may change. */
    public static final int MAX_DOCUMENTS = 32;
    public static final int MAX_TITLE = 200;
    public static final int MAX_DESCRIPTION = 4000;
    public static final int MAX_COMMENT = 1000;
    public static final int MAX_PROBLEMS = 100;

    public Release {
        editors = List.copyOf(editors);
        documents = List.copyOf(documents);
    }

    public enum State {
        /** Saved, never served. */
        DRAFT,
        /** Served to callers its gray rule matches; everyone else gets the documents as they are. */
        GRAY,
        /** Its documents were written; final. */
        PUBLISHED,
        /** Given up before publishing; final. */
        ABANDONED;

        public boolean open() {
            return this == DRAFT || this == GRAY;
        }
    }

    /** The document of {@code key} in this release, or {@code null}. */
    public Document document(String key) {
        for (Document document : documents) {
            if (document.key().equals(key)) {
                return document;
            }
        }
        return null;
    }

    /** The bytes this release holds on to: its documents' contents and what a publish replaced. */
    public long bytes() {
        long bytes = 0;
        for (Document document : documents) {
            bytes += document.key().length() + (document.content() == null ? 0 : document.content().length);
        }
        if (published != null) {
            for (Previous previous : published.previous()) {
                bytes += previous.key().length() + (previous.content() == null ? 0 : previous.content().length);
            }
        }
        return bytes;
    }

    Release with(State state, Gray gray, Published published, List<Document> documents, long revision) {
        return new Release(id, title, description, author, editors, createdAtMillis, documents, state, gray, validation,
                published, rollbackOf, restoreOf, revision);
    }

    /**
     * A document as the release would write it.
     *
     * @param content         the new content, or {@code null} to delete the key
     * @param baseModRevision the key's modRevision when the release was drafted or rebased (0 = absent):
     *                        a publish checks that it is still the key's
     */
    public record Document(String key, String contentType, byte[] content, long baseModRevision) {

        public boolean deletes() {
            return content == null;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Document that && key.equals(that.key) && contentType.equals(that.contentType)
                    && Arrays.equals(content, that.content) && baseModRevision == that.baseModRevision;
        }

        @Override
        public int hashCode() {
            return key.hashCode();
        }

        @Override
        public String toString() {
            return "Document[" + key + ", " + (content == null ? "delete" : content.length + " bytes " + contentType)
                    + ", base=" + baseModRevision + "]";
        }
    }

    /** A document as a draft names it; the store adds its base when it records the draft. */
    public record Draft(String key, String contentType, byte[] content) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Draft that && key.equals(that.key) && contentType.equals(that.contentType)
                    && Arrays.equals(content, that.content);
        }

        @Override
        public int hashCode() {
            return key.hashCode();
        }

        @Override
        public String toString() {
            return "Draft[" + key + ", " + (content == null ? "delete" : content.length + " bytes") + "]";
        }
    }

    /**
     * Who gets a gray release's documents: a caller matches when every part present holds. Absent parts
     * are empty lists, an empty map and {@link #NO_PERCENT}.
     *
     * @param instances instance ids, exactly
     * @param ips       the caller's IP address, as registered or as it connects
     * @param labels    every label must have this value (registry metadata, zone and tags, overlaid by the
     *                  caller's own)
     * @param percent   0..100: the caller's instance id hashes below it ({@link #bucket}), or {@link #NO_PERCENT}
     */
    public record GrayRule(List<String> instances, List<String> ips, SortedMap<String, String> labels, int percent) {

        public static final int NO_PERCENT = -1;
        public static final int MAX_INSTANCES = 256;
        public static final int MAX_IPS = 64;
        public static final int MAX_LABELS = 16;

        public GrayRule {
            instances = List.copyOf(instances);
            ips = List.copyOf(ips);
            labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        }

        public boolean empty() {
            return instances.isEmpty() && ips.isEmpty() && labels.isEmpty() && percent == NO_PERCENT;
        }

        /**
         * Whether a caller matches: {@code instanceId} may be {@code null} (unknown), which fails an
         * instance or percent part; {@code ip} may be {@code null} too.
         */
        public boolean matches(long releaseId, String instanceId, String ip, Map<String, String> callerLabels) {
            if (!instances.isEmpty() && (instanceId == null || !instances.contains(instanceId))) {
                return false;
            }
            if (!ips.isEmpty() && (ip == null || !ips.contains(ip))) {
                return false;
            }
            for (Map.Entry<String, String> label : labels.entrySet()) {
                if (!label.getValue().equals(callerLabels.get(label.getKey()))) {
                    return false;
                }
            }
            return percent == NO_PERCENT || instanceId != null && bucket(releaseId, instanceId) < percent;
        }

        /**
         * The caller's bucket, 0..99, the same on every node and in every build: the first eight bytes of
         * SHA-256 of {@code "<releaseId>:<instanceId>"}, as an unsigned number, modulo 100.
         */
        public static int bucket(long releaseId, String instanceId) {
            byte[] hash = Sha256.of((releaseId + ":" + instanceId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long high = 0;
            for (int i = 0; i < 8; i++) {
                high = (high << 8) | (hash[i] & 0xFF);
            }
            return (int) Long.remainderUnsigned(high, 100);
        }
    }

    /**
     * The labels a gray rule sees for a registered instance: its metadata, {@code zone} (when it has one)
     * and {@code tag.<tag>=true} for each tag, overlaid by the caller's own ({@code overlay}).
     */
    public static java.util.SortedMap<String, String> labels(Instance instance, Map<String, String> overlay) {
        TreeMap<String, String> labels = new TreeMap<>();
        if (instance != null) {
            labels.putAll(instance.metadata());
            if (!instance.zone().isEmpty()) {
                labels.put("zone", instance.zone());
            }
            instance.tags().forEach(tag -> labels.put("tag." + tag, "true"));
        }
        labels.putAll(overlay);
        return labels;
    }

    /** A release's gray rule and who set it when. */
    public record Gray(GrayRule rule, String by, long atMillis) {
    }

    /**
     * What checking a release's documents against its applications' schemas found, on the node that
     * took the request (apply only reads {@link #status}).
     *
     * @param schemaDigest the digests of the schemas checked against, or {@code ""} when none was
     */
    public record Validation(Status status, String schemaDigest, List<Problem> problems) {

        public static final Validation SKIPPED = new Validation(Status.SKIPPED, "", List.of());

        public Validation {
            problems = List.copyOf(problems);
        }

        public enum Status {
            PASSED, WARNINGS, FAILED, SKIPPED
        }
    }

    /**
     * What the node that took a gray or publish request checked, for apply to hold it to.
     *
     * @param expectedRevision the release's revision when it was checked ({@link Command#ANY}: none): a
     *                         release changed since is refused, so what is served is what was checked
     * @param guards           the mod revisions of the keys the policy and schema were read from; the
     *                         command is refused if any moved
     * @param fourEyes         the policy asks that no one who wrote the release's content serves it,
     *                         unless an administrator gives an {@code emergency} reason
     * @param enforce          the policy refuses a release whose {@code validation} failed
     * @param validation       the release checked against the current schema
     */
    public record Approval(long expectedRevision, List<Compare> guards, boolean fourEyes, boolean enforce,
            Validation validation, String emergency) {

        /** No policy to hold: tests and callers without one. */
        public static final Approval NONE = new Approval(-1, List.of(), false, false, Validation.SKIPPED, "");

        public Approval {
            guards = List.copyOf(guards);
        }
    }

    /** One finding of a validation: a key of a document that is wrong ({@code error}) or doubtful. */
    public record Problem(String document, String key, boolean error, String message, String suggestion) {

        /** {@code suggestion} {@code null} is kept as {@code ""}: none. */
        public Problem {
            suggestion = suggestion == null ? "" : suggestion;
        }
    }

    /**
     * A publish.
     *
     * @param emergency the reason an administrator gave to publish their own release under four-eyes,
     *                  or {@code ""}
     * @param previous  what each document held just before, for rollback and restore
     */
    public record Published(long revision, String by, long atMillis, String comment, String emergency,
            List<Previous> previous) {

        public Published {
            previous = List.copyOf(previous);
        }
    }

    /** A document as it was before a publish: {@code content} is {@code null} when the key was absent. */
    public record Previous(String key, String contentType, byte[] content) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Previous that && key.equals(that.key) && contentType.equals(that.contentType)
                    && Arrays.equals(content, that.content);
        }

        @Override
        public int hashCode() {
            return key.hashCode();
        }
    }

    /**
     * How many releases the store keeps per group of documents (the keys' parent, one application's
     * documents), stamped into the commands that add one so every replica prunes alike: the oldest go
     * first, but the last two published and every draft or gray release stay.
     */
    public record Retention(int perGroup, long maxBytesPerGroup) {

        public static final Retention DEFAULT = new Retention(100, 16L << 20);
    }

    /** The group of a document key: everything up to and including its last {@code /}. */
    public static String group(String key) {
        return key.substring(0, key.lastIndexOf('/') + 1);
    }
}
