package io.muster.watch;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.muster.kv.EntryView;
import io.muster.registry.InstanceView;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/** The SSE messages of a watch stream, as JSON. Thread-safe. */
final class WatchMessages {

    private final JsonMapper json;

    WatchMessages(JsonMapper json) {
        this.json = json;
    }

    /** One event in a {@code change} message: a key's, with its entry, or an instance's. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record EventView(String type, String key, EntryView entry, String service, InstanceView instance, LockView lock) {
    }

    /** A lock's (or an election's) holder as a watch event shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record LockView(String holder, Long lease, Long fencingToken, int waiters) {

        static LockView of(io.muster.core.Lock lock) {
            return lock.holder() == null ? new LockView(null, null, null, lock.waiters().size())
                    : new LockView(lock.holder().owner(), lock.holder().lease(), lock.holder().token(),
                            lock.waiters().size());
        }
    }

    record ChangeView(long revision, List<EventView> events) {
    }

    record ProgressView(long revision) {
    }

    record CompactedView(long compactedThrough, long revision, String detail) {
    }

    record ClosedView(String detail) {
    }

    /** A problem (RFC 9457 members) as the final message of a stream whose token lost its rights. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RevokedView(String type, String title, int status, String detail, Long revision) {
    }

    SseEmitter.SseEventBuilder change(WatchHub.Batch batch) {
        return event("change", batch.revision(), batch.json(whole -> encode(whole.revision(), whole.events())));
    }

    SseEmitter.SseEventBuilder change(long revision, List<ChangeEvent> events) {
        return event("change", revision, encode(revision, events));
    }

    SseEmitter.SseEventBuilder progress(long revision) {
        return event("progress", revision, json.writeValueAsString(new ProgressView(revision)));
    }

    SseEmitter.SseEventBuilder compacted(long cursor, long compactedThrough, long revision) {
        return SseEmitter.event().name("compacted").data(json.writeValueAsString(new CompactedView(compactedThrough,
                revision, "revisions up to " + compactedThrough + " are no longer retained, and this stream needed "
                        + cursor + ": list again, then watch from the list's revision + 1")));
    }

    SseEmitter.SseEventBuilder closed(String detail) {
        return SseEmitter.event().name("closed").data(json.writeValueAsString(new ClosedView(detail)));
    }

    SseEmitter.SseEventBuilder revoked(Revocation revocation) {
        return SseEmitter.event().name("revoked").data(json.writeValueAsString(new RevokedView(
                revocation.type().type().toString(), revocation.type().title(), revocation.type().status().value(),
                revocation.detail(), revocation.revision() > 0 ? revocation.revision() : null)));
    }

    /** An SSE comment: nothing for the client, but a write that tells whether the connection is still there. */
    SseEmitter.SseEventBuilder heartbeat() {
        return SseEmitter.event().comment("");
    }

    private String encode(long revision, List<ChangeEvent> events) {
        List<EventView> views = new ArrayList<>(events.size());
        for (ChangeEvent event : events) {
            views.add(new EventView(event.type().name().toLowerCase(java.util.Locale.ROOT), event.key(),
                    event.entry() == null ? null : EntryView.of(event.entry()), event.service(),
                    event.instance() == null ? null : InstanceView.of(event.instance()),
                    event.lock() == null ? null : LockView.of(event.lock())));
        }
        return json.writeValueAsString(new ChangeView(revision, views));
    }

    /** A message of another kind of stream: its data, any record, as JSON. */
    SseEmitter.SseEventBuilder event(String name, long id, Object data) {
        return event(name, id, json.writeValueAsString(data));
    }

    /** A message of another kind of stream whose data is JSON already. */
    SseEmitter.SseEventBuilder eventJson(String name, long id, String json) {
        return event(name, id, json);
    }

    private static SseEmitter.SseEventBuilder event(String name, long id, String data) {
        return SseEmitter.event().id(Long.toString(id)).name(name).data(data);
    }
}
