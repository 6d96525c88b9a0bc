package io.muster.springconfig;

import io.muster.core.Entry;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Configuration documents: the entries under {@code muster.springconfig.key-prefix}, one per
 * application and profile ({@code config/{application}/{profile}}, the base document under the
 * profile {@code default}, the documents every application shares under the application
 * {@code application}). A document is an ordinary entry (revisions, history, watches, audit,
 * If-Match all apply) whose content type names its format and whose content must parse: every
 * write path checks it here before proposing.
 *
 * <p>Thread-safe: parsed documents are cached per key and mod revision in a concurrent map.
 */
@Component
public class ConfigDocuments {

    /** The profile of an application's base document. */
    static final String BASE_PROFILE = "default";
    /** The application whose documents every application gets. */
    static final String SHARED_APPLICATION = "application";
    private static final int MAX_CACHED = 10_000;

    private final String prefix;
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    public ConfigDocuments(SpringConfigProperties properties) {
        this.prefix = properties.keyPrefix();
    }

    /**
     * Refuses, with the problem a client should see, a value that may not be stored under
     * {@code key}: under the document prefix, a key that is not {@code {application}/{profile}}, a
     * content type that names no document format (415), or content that does not parse (400, with
     * the line and column). Any other key passes unchecked.
     */
    public void check(String key, String contentType, byte[] value) {
        if (!key.startsWith(prefix)) {
            return;
        }
        String[] segments = key.substring(prefix.length()).split("/", -1);
        if (segments.length != 2) {
            throw new ProblemException(ProblemType.INVALID_KEY, "keys under '" + prefix + "' are configuration "
                    + "documents, " + prefix + "{application}/{profile}; '" + key + "' is not").with("key", key);
        }
        for (String segment : segments) {
            if (segment.startsWith("~")) {
                throw new ProblemException(ProblemType.INVALID_KEY, "segments starting with '~' are reserved under '"
                        + prefix + "'; '" + key + "' uses one").with("key", key);
            }
        }
        DocumentFormat format = DocumentFormat.of(contentType);
        if (format == null) {
            throw new ProblemException(ProblemType.UNSUPPORTED_CONFIG_FORMAT, "a configuration document under '"
                    + prefix + "' is stored as " + DocumentFormat.ACCEPTED + ", not '" + contentType + "'")
                    .with("key", key).with("field", "Content-Type");
        }
        try {
            DocumentParser.parse(format, value);
        } catch (InvalidDocument e) {
            throw invalid(key, e);
        }
    }

    /** The key of an application's document for a profile ({@code default}: its base document). */
    public String key(String application, String profile) {
        return prefix + application + "/" + profile;
    }

    public String prefix() {
        return prefix;
    }

    /**
     * A document's properties as Spring Boot's loaders flatten them, after {@link #check}ing it: a
     * problem (400 or 415) for one that may not be stored under {@code key}.
     */
    public Map<String, Object> flatten(String key, String contentType, byte[] content) {
        check(key, contentType, content);
        DocumentFormat format = DocumentFormat.of(contentType);
        return format == null ? Map.of() : DocumentParser.parse(format, content);
    }

    /**
     * The properties of a release's document, parsed once per release revision ({@code revision}); like
     * {@link #properties(Entry)} for a document not yet written.
     */
    public Map<String, Object> properties(String key, long revision, String contentType, byte[] content) {
        return properties(new Entry("\u0000release\u0000" + key, revision,
                new io.muster.core.Version(content, contentType, revision, 1, 0), java.util.List.of()));
    }

    /**
     * A stored document's properties, parsed once per mod revision. A stored document that does not
     * parse (written by a build that did not check documents) is a 500 naming it, never a source
     * silently served empty.
     */
    public Map<String, Object> properties(Entry entry) {
        Parsed cached = parsed.get(entry.key());
        if (cached != null && cached.modRevision == entry.modRevision()) {
            return cached.properties;
        }
        DocumentFormat format = DocumentFormat.of(entry.contentType());
        Map<String, Object> properties;
        try {
            if (format == null) {
                throw new InvalidDocument("its content type '" + entry.contentType() + "' names no document format");
            }
            properties = DocumentParser.parse(format, entry.value());
        } catch (InvalidDocument e) {
            throw new ProblemException(ProblemType.CONFIG_DOCUMENT_UNREADABLE, "the stored document '" + entry.key()
                    + "' (mod revision " + entry.modRevision() + ") cannot be served: " + e.describe()
                    + "; write a valid document there or delete it").with("key", entry.key());
        }
        if (parsed.size() >= MAX_CACHED) {
            parsed.clear();
        }
        parsed.put(entry.key(), new Parsed(entry.modRevision(), properties));
        return properties;
    }

    private static ProblemException invalid(String key, InvalidDocument e) {
        ProblemException problem = new ProblemException(ProblemType.INVALID_CONFIG_DOCUMENT,
                "the document for '" + key + "' does not parse: " + e.describe()).with("key", key);
        if (e.line() > 0) {
            problem.with("line", e.line()).with("column", e.column());
        }
        return problem;
    }

    private record Parsed(long modRevision, Map<String, Object> properties) {
    }
}
