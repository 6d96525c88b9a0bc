package io.muster.core;

import java.util.TreeSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules a service registration keeps, checked at the API, on the leader and in apply like
 * {@link CommandRules}: names that are safe in URLs, SQL and keys, and bounded sizes.
 */
public final class InstanceRules {

    /** Service names, instance ids, zones, tags and metadata keys: URL- and key-safe words. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    public static final int MAX_TAGS = 32;
    public static final int MAX_METADATA = 32;
    public static final int MAX_ADDRESS_LENGTH = 255;
    public static final int MAX_METADATA_VALUE_LENGTH = 255;

    private InstanceRules() {
    }

    public static String serviceProblem(String service) {
        return service != null && NAME.matcher(service).matches() ? null
                : "service must be 1-63 of [A-Za-z0-9._-], starting alphanumeric";
    }

    public static String idProblem(String id) {
        return id != null && ID.matcher(id).matches() ? null
                : "instance id must be 1-128 of [A-Za-z0-9._:-], starting alphanumeric";
    }

    /** A lock holder's or candidate's name: like an instance id. */
    public static String ownerProblem(String owner) {
        return owner != null && ID.matcher(owner).matches() ? null
                : "holder must be 1-128 of [A-Za-z0-9._:-], starting alphanumeric";
    }

    static String problem(Command.RegisterInstance register) {
        String problem = firstOf(serviceProblem(register.service()), idProblem(register.id()),
                addressProblem(register.address()), register.port() >= 1 && register.port() <= 65535 ? null
                        : "port must be within 1..65535",
                register.zone().isEmpty() || NAME.matcher(register.zone()).matches() ? null
                        : "zone must be empty or 1-63 of [A-Za-z0-9._-], starting alphanumeric",
                tagsProblem(register.tags()), metadataProblem(register.metadata()),
                register.status() == null ? "status is required" : null,
                register.lease() >= 0 ? null : "lease must be 0 (a new one) or a lease id");
        if (problem == null && register.lease() == 0) {
            problem = CommandRules.ttlProblem(register.ttlMillis());
        }
        return problem;
    }

    static String problem(Command.DeregisterInstance deregister) {
        return firstOf(serviceProblem(deregister.service()), idProblem(deregister.id()));
    }

    static String problem(Command.SetInstanceStatus change) {
        return firstOf(serviceProblem(change.service()), idProblem(change.id()),
                change.status() == null ? "status is required" : null);
    }

    private static String addressProblem(String address) {
        if (address == null || address.isEmpty() || address.length() > MAX_ADDRESS_LENGTH) {
            return "address must be 1-" + MAX_ADDRESS_LENGTH + " characters";
        }
        return printable(address) ? null : "address must be printable ASCII without spaces";
    }

    private static String tagsProblem(List<String> tags) {
        if (tags.size() > MAX_TAGS) {
            return "at most " + MAX_TAGS + " tags";
        }
        for (String tag : tags) {
            if (!NAME.matcher(tag).matches()) {
                return "tag '" + tag + "' must be 1-63 of [A-Za-z0-9._-], starting alphanumeric";
            }
        }
        return new TreeSet<>(tags).size() == tags.size() ? null : "tags must not repeat";
    }

    private static String metadataProblem(Map<String, String> metadata) {
        if (metadata.size() > MAX_METADATA) {
            return "at most " + MAX_METADATA + " metadata entries";
        }
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (!NAME.matcher(entry.getKey()).matches()) {
                return "metadata key '" + entry.getKey() + "' must be 1-63 of [A-Za-z0-9._-], starting alphanumeric";
            }
            String value = entry.getValue();
            if (value == null || value.length() > MAX_METADATA_VALUE_LENGTH || !(value.isEmpty() || printableWithSpaces(value))) {
                return "metadata '" + entry.getKey() + "' must be at most " + MAX_METADATA_VALUE_LENGTH
                        + " printable characters";
            }
        }
        return null;
    }

    private static boolean printable(String text) {
        return text.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private static boolean printableWithSpaces(String text) {
        return text.chars().allMatch(c -> c >= 0x20 && c != 0x7f);
    }

    private static String firstOf(String... problems) {
        for (String problem : problems) {
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }
}
