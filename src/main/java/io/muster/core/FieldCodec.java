package io.muster.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The encodings of the values that commands, results and snapshots share: keys, names, token
 * prefixes, peers, an instance's tags and metadata, and the pinned codes of the enums they carry.
 * Part of the on-disk format like {@link CommandCodec}: codes are only ever added.
 */
final class FieldCodec {

    static final WireCodes<Role> ROLES = WireCodes.of(Role.class, "role",
            Map.entry(Role.READER, 1), Map.entry(Role.WRITER, 2), Map.entry(Role.ADMIN, 3));
    static final WireCodes<Instance.Status> STATUSES = WireCodes.of(Instance.Status.class, "instance status",
            Map.entry(Instance.Status.UP, 1), Map.entry(Instance.Status.DOWN, 2), Map.entry(Instance.Status.STARTING, 3),
            Map.entry(Instance.Status.OUT_OF_SERVICE, 4));
    static final WireCodes<Compare.Target> TARGETS = WireCodes.of(Compare.Target.class, "compare target",
            Map.entry(Compare.Target.MOD_REVISION, 1), Map.entry(Compare.Target.CREATE_REVISION, 2),
            Map.entry(Compare.Target.VERSION, 3), Map.entry(Compare.Target.EXISTS, 4), Map.entry(Compare.Target.VALUE, 5));
    static final WireCodes<Compare.Operator> OPERATORS = WireCodes.of(Compare.Operator.class, "compare operator",
            Map.entry(Compare.Operator.EQUAL, 1), Map.entry(Compare.Operator.NOT_EQUAL, 2),
            Map.entry(Compare.Operator.GREATER, 3), Map.entry(Compare.Operator.LESS, 4));
    static final WireCodes<Rejected.Reason> REASONS = WireCodes.of(Rejected.Reason.class, "rejection reason",
            Map.entry(Rejected.Reason.PRECONDITION_FAILED, 1), Map.entry(Rejected.Reason.INVALID_COMMAND, 2),
            Map.entry(Rejected.Reason.LEASE_NOT_FOUND, 3), Map.entry(Rejected.Reason.INSTANCE_NOT_FOUND, 4),
            Map.entry(Rejected.Reason.PERMISSION_DENIED, 5), Map.entry(Rejected.Reason.TOKEN_EXISTS, 6),
            Map.entry(Rejected.Reason.TOKEN_NOT_FOUND, 7), Map.entry(Rejected.Reason.IDEMPOTENCY_KEY_REUSED, 8),
            // Level 4.
            Map.entry(Rejected.Reason.RELEASE_NOT_FOUND, 9), Map.entry(Rejected.Reason.RELEASE_NOT_OPEN, 10),
            Map.entry(Rejected.Reason.DOCUMENT_IN_GRAY, 11), Map.entry(Rejected.Reason.RELEASE_CONFLICT, 12),
            Map.entry(Rejected.Reason.SAME_AUTHOR, 13), Map.entry(Rejected.Reason.CONFIG_INVALID, 14),
            Map.entry(Rejected.Reason.TOO_MANY_OPEN_RELEASES, 15));
    static final WireCodes<Release.State> RELEASE_STATES = WireCodes.of(Release.State.class, "release state",
            Map.entry(Release.State.DRAFT, 1), Map.entry(Release.State.GRAY, 2), Map.entry(Release.State.PUBLISHED, 3),
            Map.entry(Release.State.ABANDONED, 4));
    static final WireCodes<Release.Validation.Status> VALIDATION_STATUSES = WireCodes.of(Release.Validation.Status.class,
            "validation status", Map.entry(Release.Validation.Status.PASSED, 1),
            Map.entry(Release.Validation.Status.WARNINGS, 2), Map.entry(Release.Validation.Status.FAILED, 3),
            Map.entry(Release.Validation.Status.SKIPPED, 4));

    private FieldCodec() {
    }

    /** A count (at most {@code max}, else undecodable as {@code what}), then that many items. */
    static <T> List<T> readList(WireIn in, int max, String what, Function<WireIn, T> item) {
        int count = in.readVarint(max, what);
        List<T> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            items.add(item.apply(in));
        }
        return items;
    }

    /** Where and how a service instance is: the fields a registration and a stored instance share. */
    record Placement(String service, String id, String address, int port, String zone, List<String> tags,
            SortedMap<String, String> metadata, Instance.Status status) {
    }

    static Placement readPlacement(WireIn in) {
        String service = readName(in);
        String id = readName(in);
        String address = readName(in);
        int port = in.readVarint(65_535, "port");
        String zone = readName(in);
        List<String> tags = readTags(in);
        SortedMap<String, String> metadata = readMetadata(in);
        return new Placement(service, id, address, port, zone, tags, metadata, STATUSES.value(in.readByte()));
    }

    static void writePrefixes(WireOut out, List<String> prefixes) {
        out.writeVarint(prefixes.size());
        prefixes.forEach(out::writeString);
    }

    static List<String> readPrefixes(WireIn in) {
        return readList(in, TokenRules.MAX_PREFIXES * 4, "prefix count", FieldCodec::readKey);
    }

    /** A token's services: as many strings as prefixes, each bounded like a key. */
    static void writeServices(WireOut out, List<String> services) {
        out.writeVarint(services.size());
        services.forEach(out::writeString);
    }

    static List<String> readServices(WireIn in) {
        return readList(in, TokenRules.MAX_SERVICES * 4, "service count", FieldCodec::readKey);
    }

    static List<String> readPeers(WireIn in) {
        return readList(in, DesiredVoters.MAX_PEERS * 4, "peer count", FieldCodec::readName);
    }

    static void writeLabels(WireOut out, List<String> tags, Map<String, String> metadata) {
        out.writeVarint(tags.size());
        tags.forEach(out::writeString);
        out.writeVarint(metadata.size());
        metadata.forEach((key, value) -> out.writeString(key).writeString(value));
    }

    static List<String> readTags(WireIn in) {
        return readList(in, InstanceRules.MAX_TAGS * 4, "tag count", FieldCodec::readName);
    }

    static SortedMap<String, String> readMetadata(WireIn in) {
        int count = in.readVarint(InstanceRules.MAX_METADATA * 4, "metadata count");
        SortedMap<String, String> metadata = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            metadata.put(readName(in), readName(in));
        }
        return metadata;
    }

    /** A service, id, address, zone, tag or metadata string: short, bounded generously. */
    static String readName(WireIn in) {
        return in.readString(1024, "name");
    }

    static String readKey(WireIn in) {
        return in.readString(CommandCodec.MAX_KEY_BYTES, "key");
    }
}
