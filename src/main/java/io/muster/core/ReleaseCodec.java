package io.muster.core;

import static io.muster.core.FieldCodec.RELEASE_STATES;
import static io.muster.core.FieldCodec.VALIDATION_STATUSES;
import static io.muster.core.FieldCodec.readKey;
import static io.muster.core.FieldCodec.readList;
import static io.muster.core.FieldCodec.readName;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The encodings of releases and of their parts, which the release commands, their result and the
 * snapshot share (level 4). Part of the on-disk format like {@link CommandCodec}: append only.
 */
final class ReleaseCodec {

    private static final int MAX_TEXT_BYTES = 64 << 10;
    private static final int MAX_LIST = 1 << 12;

    private ReleaseCodec() {
    }

    static void writeText(WireOut out, String text) {
        out.writeString(text);
    }

    static String readText(WireIn in) {
        return in.readString(MAX_TEXT_BYTES, "text");
    }

    /** Content that may be absent: a presence flag, then the bytes. */
    static void writeContent(WireOut out, byte[] content) {
        out.writeBoolean(content != null);
        if (content != null) {
            out.writeBytes(content);
        }
    }

    static byte[] readContent(WireIn in) {
        return in.readBoolean() ? in.readBytes(CommandCodec.MAX_VALUE_BYTES, "content") : null;
    }

    static void writeDrafts(WireOut out, List<Release.Draft> drafts) {
        out.writeVarint(drafts.size());
        for (Release.Draft draft : drafts) {
            out.writeString(draft.key()).writeString(draft.contentType());
            writeContent(out, draft.content());
        }
    }

    static List<Release.Draft> readDrafts(WireIn in) {
        return readList(in, MAX_LIST, "draft document count", from -> new Release.Draft(readKey(from),
                from.readString(CommandCodec.MAX_CONTENT_TYPE_BYTES, "contentType"), readContent(from)));
    }

    static void writeRule(WireOut out, Release.GrayRule rule) {
        out.writeVarint(rule.instances().size());
        rule.instances().forEach(out::writeString);
        out.writeVarint(rule.ips().size());
        rule.ips().forEach(out::writeString);
        out.writeVarint(rule.labels().size());
        rule.labels().forEach((name, value) -> out.writeString(name).writeString(value));
        out.writeVarint(rule.percent() + 1);
    }

    static Release.GrayRule readRule(WireIn in) {
        List<String> instances = readList(in, MAX_LIST, "gray instance count", FieldCodec::readName);
        List<String> ips = readList(in, MAX_LIST, "gray ip count", FieldCodec::readName);
        int labelCount = in.readVarint(MAX_LIST, "gray label count");
        SortedMap<String, String> labels = new TreeMap<>();
        for (int i = 0; i < labelCount; i++) {
            labels.put(readName(in), readName(in));
        }
        return new Release.GrayRule(instances, ips, labels, in.readVarint(101, "gray percent") - 1);
    }

    static void writeValidation(WireOut out, Release.Validation validation) {
        out.writeByte(VALIDATION_STATUSES.code(validation.status())).writeString(validation.schemaDigest())
                .writeVarint(validation.problems().size());
        for (Release.Problem problem : validation.problems()) {
            out.writeString(problem.document()).writeString(problem.key()).writeBoolean(problem.error())
                    .writeString(problem.message()).writeString(problem.suggestion());
        }
    }

    static Release.Validation readValidation(WireIn in) {
        Release.Validation.Status status = VALIDATION_STATUSES.value(in.readByte());
        String digest = readText(in);
        List<Release.Problem> problems = readList(in, MAX_LIST, "validation problem count",
                from -> new Release.Problem(readText(from), readText(from), from.readBoolean(), readText(from),
                        readText(from)));
        return new Release.Validation(status, digest, problems);
    }

    static void writeApproval(WireOut out, Release.Approval approval) {
        out.writeLong(approval.expectedRevision()).writeVarint(approval.guards().size());
        approval.guards().forEach(guard -> CommandCodec.writeCompare(out, guard));
        out.writeBoolean(approval.fourEyes()).writeBoolean(approval.enforce());
        writeValidation(out, approval.validation());
        out.writeString(approval.emergency());
    }

    static Release.Approval readApproval(WireIn in) {
        long expectedRevision = in.readLong();
        List<Compare> guards = readList(in, MAX_LIST, "guard count", CommandCodec::readCompare);
        boolean fourEyes = in.readBoolean();
        boolean enforce = in.readBoolean();
        Release.Validation validation = readValidation(in);
        return new Release.Approval(expectedRevision, guards, fourEyes, enforce, validation, readText(in));
    }

    static void writeRetention(WireOut out, Release.Retention retention) {
        out.writeVarint(retention.perGroup()).writeLong(retention.maxBytesPerGroup());
    }

    static Release.Retention readRetention(WireIn in) {
        return new Release.Retention(in.readVarint(Integer.MAX_VALUE, "releases retained"), in.readLong());
    }

    static void writeRelease(WireOut out, Release release) {
        out.writeLong(release.id()).writeString(release.title()).writeString(release.description())
                .writeString(release.author()).writeVarint(release.editors().size());
        release.editors().forEach(out::writeString);
        out.writeLong(release.createdAtMillis()).writeVarint(release.documents().size());
        for (Release.Document document : release.documents()) {
            out.writeString(document.key()).writeString(document.contentType());
            writeContent(out, document.content());
            out.writeLong(document.baseModRevision());
        }
        out.writeByte(RELEASE_STATES.code(release.state())).writeBoolean(release.gray() != null);
        if (release.gray() != null) {
            writeRule(out, release.gray().rule());
            out.writeString(release.gray().by()).writeLong(release.gray().atMillis());
        }
        writeValidation(out, release.validation());
        Release.Published published = release.published();
        out.writeBoolean(published != null);
        if (published != null) {
            out.writeLong(published.revision()).writeString(published.by()).writeLong(published.atMillis())
                    .writeString(published.comment()).writeString(published.emergency())
                    .writeVarint(published.previous().size());
            for (Release.Previous previous : published.previous()) {
                out.writeString(previous.key()).writeString(previous.contentType());
                writeContent(out, previous.content());
            }
        }
        out.writeLong(release.rollbackOf()).writeLong(release.restoreOf()).writeLong(release.revision());
    }

    static Release readRelease(WireIn in) {
        long id = in.readLong();
        String title = readText(in);
        String description = readText(in);
        String author = readName(in);
        List<String> editors = readList(in, MAX_LIST, "editor count", FieldCodec::readName);
        long createdAtMillis = in.readLong();
        List<Release.Document> documents = readList(in, MAX_LIST, "release document count",
                from -> new Release.Document(readKey(from), from.readString(CommandCodec.MAX_CONTENT_TYPE_BYTES,
                        "contentType"), readContent(from), from.readLong()));
        Release.State state = RELEASE_STATES.value(in.readByte());
        Release.Gray gray = in.readBoolean() ? new Release.Gray(readRule(in), readName(in), in.readLong()) : null;
        Release.Validation validation = readValidation(in);
        Release.Published published = null;
        if (in.readBoolean()) {
            long revision = in.readLong();
            String by = readName(in);
            long atMillis = in.readLong();
            String comment = readText(in);
            String emergency = readText(in);
            List<Release.Previous> previous = readList(in, MAX_LIST, "previous document count",
                    from -> new Release.Previous(readKey(from), from.readString(CommandCodec.MAX_CONTENT_TYPE_BYTES,
                            "contentType"), readContent(from)));
            published = new Release.Published(revision, by, atMillis, comment, emergency, previous);
        }
        return new Release(id, title, description, author, editors, createdAtMillis, documents, state, gray, validation,
                published, in.readLong(), in.readLong(), in.readLong());
    }
}
