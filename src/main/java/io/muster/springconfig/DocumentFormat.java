package io.muster.springconfig;

import java.util.Locale;

/**
 * The formats a configuration document may be stored in, told apart by the entry's stored
 * {@code Content-Type} (its parameters, such as a charset, are ignored: documents are UTF-8).
 */
enum DocumentFormat {
    YAML("application/yaml"),
    PROPERTIES("text/x-java-properties"),
    JSON("application/json");

    /** What a refused write's problem lists as accepted. */
    static final String ACCEPTED = "application/yaml (or application/x-yaml, text/yaml), "
            + "text/x-java-properties or application/json";

    private final String mediaType;

    DocumentFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    String mediaType() {
        return mediaType;
    }

    /** The format a stored content type names, or {@code null} when it names none of them. */
    static DocumentFormat of(String contentType) {
        if (contentType == null) {
            return null;
        }
        int parameters = contentType.indexOf(';');
        String type = (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim()
                .toLowerCase(Locale.ROOT);
        return switch (type) {
            case "application/yaml", "application/x-yaml", "text/yaml" -> YAML;
            case "text/x-java-properties" -> PROPERTIES;
            case "application/json" -> JSON;
            default -> null;
        };
    }
}
