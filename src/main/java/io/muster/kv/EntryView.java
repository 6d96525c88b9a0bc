package io.muster.kv;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.muster.core.Entry;
import io.swagger.v3.oas.annotations.media.Schema;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.springframework.http.MediaType;

/** An entry as JSON: text values as {@code value}, everything else as {@code valueBase64}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "A key with its value and revisions. Exactly one of value and valueBase64 is present.")
public record EntryView(
        String key,
        @Schema(description = "The value as text, when the content type is textual and the bytes are UTF-8") String value,
        @Schema(description = "The value in base64, for every other value") String valueBase64,
        String contentType,
        @Schema(description = "The revision that created the key") long createRevision,
        @Schema(description = "The revision that last wrote the key; also its ETag") long modRevision,
        @Schema(description = "1 when created, +1 on every write") long version,
        @Schema(description = "The lease the key is bound to; absent when none") Long lease) {

    public static EntryView of(Entry entry) {
        String text = text(entry.contentType(), entry.value());
        return new EntryView(entry.key(), text, text == null ? Base64.getEncoder().encodeToString(entry.value()) : null,
                entry.contentType(), entry.createRevision(), entry.modRevision(), entry.version(),
                entry.lease() == 0 ? null : entry.lease());
    }

    /** The value as a string when {@code contentType} is textual and the bytes are valid UTF-8, else null. */
    static String text(String contentType, byte[] value) {
        if (!isTextual(contentType)) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isTextual(String contentType) {
        MediaType type;
        try {
            type = MediaType.parseMediaType(contentType);
        } catch (RuntimeException e) {
            return false;
        }
        String subtype = type.getSubtype().toLowerCase(Locale.ROOT);
        return type.getType().equalsIgnoreCase("text") || subtype.equals("json") || subtype.endsWith("+json")
                || subtype.equals("xml") || subtype.endsWith("+xml") || subtype.equals("yaml")
                || subtype.equals("x-yaml") || subtype.equals("x-www-form-urlencoded")
                || subtype.equals("javascript") || subtype.equals("toml") || subtype.equals("x-java-properties");
    }
}
