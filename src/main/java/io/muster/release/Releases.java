package io.muster.release;

import io.muster.cluster.AdmissionPolicy;
import io.muster.core.Command;
import io.muster.core.CommandCodec;
import io.muster.core.Compare;
import io.muster.core.Entry;
import io.muster.core.Instance;
import io.muster.core.Keys;
import io.muster.core.KvStore;
import io.muster.core.Release;
import io.muster.replication.Consistency;
import io.muster.replication.Gateway;
import io.muster.security.Caller;
import io.muster.springconfig.ConfigDocuments;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * What the release endpoints do on the node that takes the request, before anything is proposed:
 * turn requested documents into drafts (each checked as a configuration document), check drafts
 * against their applications' policies and schemas, and list the instances a gray rule matches.
 *
 * <p>Thread-safe: the schema cache is a concurrent map of immutable values.
 */
@Component
public class Releases {

    /** The suffix of an application's compacted schema key and of its policy key. */
    public static final String SCHEMA = "~schema";
    public static final String POLICY = "~policy";
    static final String MASK = "******";
    private static final int MAX_CACHED_SCHEMAS = 1000;

    private final Gateway gateway;
    private final ConfigDocuments documents;
    private final ReleaseProperties properties;
    private final AdmissionPolicy admission;
    private final Map<String, CachedSchema> schemas = new ConcurrentHashMap<>();

    Releases(Gateway gateway, ConfigDocuments documents, ReleaseProperties properties, AdmissionPolicy admission) {
        this.gateway = gateway;
        this.documents = documents;
        this.properties = properties;
        this.admission = admission;
    }

    /** A document as a request names it: whole content, or {@code delete}. */
    public record DocumentRequest(String app, String profile, String contentType, String content, Boolean delete) {
    }

    Release.Retention retention() {
        return new Release.Retention(properties.retainPerApp(), properties.maxBytesPerApp().toBytes());
    }

    /** The key of {@code app}'s document {@code profile}, each a checked segment (400 naming the field). */
    String key(String app, String profile) {
        segment("app", app);
        segment("profile", profile);
        String key = documents.key(app, profile);
        String problem = Keys.problem(key);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_KEY, problem).with("key", key);
        }
        return key;
    }

    String schemaKey(String app) {
        segment("app", app);
        return documents.prefix() + app + "/" + SCHEMA;
    }

    String policyKey(String app) {
        segment("app", app);
        return documents.prefix() + app + "/" + POLICY;
    }

    private static void segment(String field, String value) {
        if (value == null || value.isEmpty() || value.contains("/") || value.startsWith("~") || value.length() > 255) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, field + " must be one key segment (no '/', not "
                    + "starting with '~'), not '" + value + "'").with("field", field);
        }
    }

    /** The application and profile of a document key: its last two segments. */
    static String[] appAndProfile(String key) {
        int last = key.lastIndexOf('/');
        int before = key.lastIndexOf('/', last - 1);
        return new String[] {key.substring(before + 1, Math.max(before + 1, last)), key.substring(last + 1)};
    }

    /**
     * The drafts {@code requested} names, each checked like a document written under its key (415 for
     * a format that is none, 400 for content that does not parse) and each one the caller may write.
     */
    List<Release.Draft> drafts(List<DocumentRequest> requested) {
        if (requested == null || requested.isEmpty() || requested.size() > Release.MAX_DOCUMENTS) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "a release changes 1.." + Release.MAX_DOCUMENTS
                    + " documents, not " + (requested == null ? 0 : requested.size())).with("field", "documents");
        }
        List<Release.Draft> drafts = new ArrayList<>(requested.size());
        TreeSet<String> keys = new TreeSet<>();
        for (DocumentRequest document : requested) {
            if (document == null) {
                throw new ProblemException(ProblemType.INVALID_REQUEST, "documents holds a null").with("field", "documents");
            }
            String key = key(document.app(), document.profile());
            Caller.requireKey(key);
            if (!keys.add(key)) {
                throw new ProblemException(ProblemType.INVALID_REQUEST, "'" + key + "' appears twice in the release")
                        .with("key", key).with("field", "documents");
            }
            if (Boolean.TRUE.equals(document.delete())) {
                if (document.content() != null) {
                    throw new ProblemException(ProblemType.INVALID_REQUEST, "a document with delete: true has no content")
                            .with("key", key).with("field", "content");
                }
                drafts.add(new Release.Draft(key, "", null));
                continue;
            }
            if (document.content() == null) {
                throw new ProblemException(ProblemType.INVALID_REQUEST, "each document needs content (or delete: true)")
                        .with("key", key).with("field", "content");
            }
            String contentType = document.contentType() == null ? "application/yaml" : document.contentType();
            byte[] content = document.content().getBytes(StandardCharsets.UTF_8);
            if (content.length > admission.maxValueBytes()) {
                throw new ProblemException(ProblemType.VALUE_TOO_LARGE, "the document for '" + key + "' is "
                        + content.length + " bytes; muster.limits.max-value-bytes is " + admission.maxValueBytes())
                        .with("key", key).with("maxValueBytes", admission.maxValueBytes());
            }
            documents.flatten(key, contentType, content);
            drafts.add(new Release.Draft(key, contentType, content));
        }
        return drafts;
    }

    /**
     * Refuses (413) to publish {@code documents} when they and what they would replace (which the release
     * keeps for rollback) exceed what one log entry may hold: the release must stay a bounded record.
     */
    void requireKeepable(List<Release.Document> documents) {
        long bytes = gateway.read(Consistency.STALE, 0, store -> {
            long total = 0;
            for (Release.Document document : documents) {
                Entry entry = store.get(document.key());
                total += (document.content() == null ? 0 : document.content().length)
                        + (entry == null ? 0 : entry.value().length);
            }
            return total;
        }).value();
        if (bytes > admission.maxCommandBytes()) {
            throw new ProblemException(ProblemType.REQUEST_TOO_LARGE, "the documents and what they replace (kept for "
                    + "rollback) come to " + bytes + " bytes; a release holds at most " + admission.maxCommandBytes()
                    + " (muster.limits.max-value-bytes and 64 KiB): release fewer documents at a time");
        }
    }

    /** Refuses (413) a command that would encode beyond the log's limit for one entry. */
    void requireFits(Command command) {
        int bytes = CommandCodec.encodeCommand(command).length;
        if (bytes > admission.maxCommandBytes()) {
            throw new ProblemException(ProblemType.REQUEST_TOO_LARGE, "the release encodes to " + bytes
                    + " bytes; one log entry holds at most " + admission.maxCommandBytes()
                    + " (muster.limits.max-value-bytes and 64 KiB)");
        }
    }

    /**
     * What checking drafts against their applications found, and what a publish must carry to be
     * refused if the policy or schema it was checked against changes before it is applied.
     *
     * @param fourEyes whether an application of the release asks for four eyes
     * @param enforce  whether an application of the release enforces validation
     */
    record Check(Release.Validation validation, List<Compare> guards, boolean fourEyes, boolean enforce) {
    }

    /** Checks {@code drafts} against the current policies and schemas of their applications. */
    Check check(List<Release.Draft> drafts) {
        TreeSet<String> apps = new TreeSet<>();
        drafts.forEach(draft -> apps.add(appAndProfile(draft.key())[0]));
        Map<String, Entry[]> read = gateway.read(Consistency.LINEARIZABLE, 0, store -> {
            Map<String, Entry[]> entries = new TreeMap<>();
            apps.forEach(app -> entries.put(app, new Entry[] {store.get(policyKey(app)), store.get(schemaKey(app))}));
            return entries;
        }).value();
        List<Compare> guards = new ArrayList<>();
        Map<String, ReleasePolicy> policies = new TreeMap<>();
        List<String> digests = new ArrayList<>();
        Map<String, ConfigSchema> appSchemas = new TreeMap<>();
        for (String app : apps) {
            Entry policy = read.get(app)[0];
            Entry schema = read.get(app)[1];
            guards.add(Compare.number(policyKey(app), Compare.Target.MOD_REVISION, Compare.Operator.EQUAL,
                    policy == null ? 0 : policy.modRevision()));
            guards.add(Compare.number(schemaKey(app), Compare.Target.MOD_REVISION, Compare.Operator.EQUAL,
                    schema == null ? 0 : schema.modRevision()));
            ReleasePolicy parsed = policy == null ? ReleasePolicy.DEFAULT : storedPolicy(policy);
            policies.put(app, parsed);
            if (schema != null && parsed.validation() != ReleasePolicy.Validation.OFF) {
                ConfigSchema compact = schema(schema);
                appSchemas.put(app, compact);
                digests.add(app + ":" + compact.digest());
            }
        }
        List<Release.Problem> problems = new ArrayList<>();
        boolean failed = false;
        for (Release.Draft draft : drafts) {
            String[] appProfile = appAndProfile(draft.key());
            ConfigSchema schema = appSchemas.get(appProfile[0]);
            if (schema == null || draft.content() == null) {
                continue;
            }
            ReleasePolicy policy = policies.get(appProfile[0]);
            Map<String, Object> flattened = documents.flatten(draft.key(), draft.contentType(), draft.content());
            for (ValidationProblem problem : SchemaValidator.validate(schema, appProfile[0] + "/" + appProfile[1],
                    flattened, policy.unknownKeys())) {
                boolean error = problem.severity() == ValidationProblem.Severity.ERROR;
                failed |= error && policy.validation() == ReleasePolicy.Validation.ENFORCE;
                if (problems.size() < Release.MAX_PROBLEMS) {
                    problems.add(new Release.Problem(problem.document(), cut(problem.key()), error,
                            cut(masked(problem.key(), problem.message(), flattened.get(problem.key()))),
                            problem.suggestion() == null ? "" : cut(problem.suggestion())));
                }
            }
        }
        Release.Validation.Status status = appSchemas.isEmpty() ? Release.Validation.Status.SKIPPED
                : failed ? Release.Validation.Status.FAILED
                : problems.isEmpty() ? Release.Validation.Status.PASSED : Release.Validation.Status.WARNINGS;
        Release.Validation validation = new Release.Validation(status, cut(String.join(",", digests)), problems);
        return new Check(validation, guards, policies.values().stream().anyMatch(ReleasePolicy::fourEyes),
                policies.values().stream().anyMatch(policy -> policy.validation() == ReleasePolicy.Validation.ENFORCE));
    }

    /** A 422 naming every problem when {@code check} failed under an enforcing policy. */
    static void requirePassed(Check check) {
        if (check.enforce() && check.validation().status() == Release.Validation.Status.FAILED) {
            throw new ProblemException(ProblemType.CONFIG_INVALID, "the release fails its application's schema, and "
                    + "its policy enforces validation: " + summary(check.validation().problems()))
                    .with("problems", check.validation().problems().stream().map(ReleaseViews.ProblemView::of).toList());
        }
    }

    private static String summary(List<Release.Problem> problems) {
        StringBuilder summary = new StringBuilder();
        for (Release.Problem problem : problems) {
            if (problem.error()) {
                summary.append(summary.isEmpty() ? "" : "; ").append(problem.key()).append(": ").append(problem.message());
                if (!problem.suggestion().isEmpty()) {
                    summary.append(" (").append(problem.suggestion()).append(')');
                }
            }
        }
        return summary.toString();
    }

    /**
     * {@code message} without the value of a secret-looking key ({@code muster.releases.mask-keys}): the
     * validation is stored with the release, which every reader of its documents can read.
     */
    private String masked(String key, String message, Object value) {
        if (!properties.maskKeys().matcher(key).matches()) {
            return message;
        }
        String text = value == null ? "" : String.valueOf(value);
        // The validator quotes what it refuses first ('x' is not ...), a list's element included.
        String unquoted = message.replaceFirst("^'[^']*'", "'" + MASK + "'");
        return text.isEmpty() ? unquoted : unquoted.replace(text, MASK);
    }

    private static String cut(String text) {
        return text.length() > 1000 ? text.substring(0, 997) + "..." : text;
    }

    ReleasePolicy storedPolicy(Entry policy) {
        try {
            return ReleasePolicy.parse(policy.value());
        } catch (ProblemException e) {
            throw new ProblemException(ProblemType.CONFIG_DOCUMENT_UNREADABLE, "the stored policy '" + policy.key()
                    + "' cannot be read: " + e.getMessage() + "; set it again with PUT /v1/config/{app}/policy")
                    .with("key", policy.key());
        }
    }

    /** The compacted schema stored in {@code entry}, parsed once per mod revision. */
    ConfigSchema schema(Entry entry) {
        CachedSchema cached = schemas.get(entry.key());
        if (cached != null && cached.modRevision == entry.modRevision()) {
            return cached.schema;
        }
        ConfigSchema schema;
        try {
            schema = ConfigSchema.fromCompactJson(entry.value());
        } catch (InvalidSchema e) {
            throw new ProblemException(ProblemType.CONFIG_DOCUMENT_UNREADABLE, "the stored schema '" + entry.key()
                    + "' cannot be read: " + e.getMessage() + "; upload it again").with("key", entry.key());
        }
        if (schemas.size() >= MAX_CACHED_SCHEMAS) {
            schemas.clear();
        }
        schemas.put(entry.key(), new CachedSchema(entry.modRevision(), schema));
        return schema;
    }

    private record CachedSchema(long modRevision, ConfigSchema schema) {
    }

    // ------------------------------------------------------------------------------------------ gray

    /** A registered instance of a release's applications, with the labels its rule sees. */
    public record MatchingInstance(String service, String id, String address, int port, Map<String, String> labels,
            Integer bucket) {
    }

    /** The registered instances of {@code release}'s applications that its gray rule matches now. */
    static List<MatchingInstance> matching(KvStore store, Release release, List<String> apps) {
        List<MatchingInstance> matching = new ArrayList<>();
        if (release.gray() == null) {
            return matching;
        }
        Release.GrayRule rule = release.gray().rule();
        for (String app : apps) {
            for (Instance instance : store.instancesOf(app)) {
                Map<String, String> labels = Release.labels(instance, Map.of());
                if (rule.matches(release.id(), instance.id(), instance.address(), labels)) {
                    matching.add(new MatchingInstance(app, instance.id(), instance.address(), instance.port(), labels,
                            rule.percent() == Release.GrayRule.NO_PERCENT ? null
                                    : Release.GrayRule.bucket(release.id(), instance.id())));
                }
            }
        }
        return matching;
    }
}
