package io.muster.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Proves that every command, operation and result kind has an encoding (so none can be added without
 * one), and that corrupt bytes are refused rather than guessed at.
 */
class CodecTest {

    @Test
    void everyCommandKindIsCoveredByTheGoldenCases() {
        Set<Class<?>> covered = GoldenCases.commands().values().stream().map(Object::getClass).collect(Collectors.toSet());
        assertThat(covered).containsExactlyInAnyOrder(Command.class.getPermittedSubclasses());
        Set<Class<?>> ops = GoldenCases.commands().values().stream()
                .filter(Command.Txn.class::isInstance).map(Command.Txn.class::cast)
                .flatMap(txn -> Stream.concat(txn.then().stream(), txn.otherwise().stream()))
                .map(Object::getClass).collect(Collectors.toSet());
        assertThat(ops).containsExactlyInAnyOrder(Op.class.getPermittedSubclasses());
    }

    @Test
    void everyResultKindIsCoveredByTheGoldenCases() {
        Set<Class<?>> covered = GoldenCases.results().values().stream().map(Object::getClass).collect(Collectors.toSet());
        assertThat(covered).containsExactlyInAnyOrder(Result.class.getPermittedSubclasses());
    }

    @Test
    void everyCompareTargetAndOperatorIsCovered() {
        Command.Txn txn = (Command.Txn) GoldenCases.commands().get("command-v1-txn");
        assertThat(txn.compares().stream().map(Compare::target).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(Compare.Target.values());
        assertThat(txn.compares().stream().map(Compare::operator).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(Compare.Operator.values());
    }

    @Test
    void unknownTagsAndFormatsAreRefused() {
        byte[] put = CommandCodec.encodeCommand(GoldenCases.commands().get("command-v1-put"));
        byte[] unknownTag = put.clone();
        unknownTag[0] = 99;
        byte[] entry = CommandCodec.encodeEntry(GoldenCases.STAMP, put);
        byte[] futureFormat = entry.clone();
        futureFormat[0] = (byte) (CommandCodec.ENTRY_FORMAT + 1);

        assertThatThrownBy(() -> CommandCodec.decodeCommand(unknownTag)).isInstanceOf(UndecodableException.class)
                .hasMessageContaining("unknown command tag 99");
        assertThatThrownBy(() -> CommandCodec.decodeEntry(futureFormat)).isInstanceOf(UndecodableException.class)
                .hasMessageContaining("format");
    }

    @Test
    void truncatedAndTrailingBytesAreRefused() {
        byte[] put = CommandCodec.encodeCommand(GoldenCases.commands().get("command-v1-txn"));
        for (int length = 0; length < put.length; length++) {
            byte[] truncated = Arrays.copyOf(put, length);
            assertThatThrownBy(() -> CommandCodec.decodeCommand(truncated)).isInstanceOf(UndecodableException.class);
        }
        byte[] trailing = Arrays.copyOf(put, put.length + 1);
        assertThatThrownBy(() -> CommandCodec.decodeCommand(trailing)).hasMessageContaining("trailing");
    }

    @Test
    void aCorruptSnapshotFailsItsChecksum() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(GoldenCases.store(), out);
        byte[] bytes = out.toByteArray();
        bytes[bytes.length / 2] ^= 0x01;

        assertThatThrownBy(() -> SnapshotCodec.read(new ByteArrayInputStream(bytes)))
                .isInstanceOf(UndecodableException.class);
        byte[] truncated = Arrays.copyOf(out.toByteArray(), out.size() - 3);
        assertThatThrownBy(() -> SnapshotCodec.read(new ByteArrayInputStream(truncated)))
                .isInstanceOf(UndecodableException.class).hasMessageContaining("truncated");
    }
}
