package io.muster.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Proves how {@code muster.peers} is read and that a malformed list is refused with its entry named. */
class PeerTest {

    @Test
    void parsesAListOfIdHostPort() {
        assertThat(Peer.parse("n1=10.0.0.1:7070, n2=muster-1.muster:7070,n3=[::1]:7071", "n2", 7070))
                .containsExactly(new Peer("n1", "10.0.0.1", 7070), new Peer("n2", "muster-1.muster", 7070),
                        new Peer("n3", "[::1]", 7071));
    }

    @Test
    void anEmptyListIsAClusterOfThisNodeAlone() {
        assertThat(Peer.parse("", "solo", 7070)).isEqualTo(List.of(new Peer("solo", "localhost", 7070)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"n1", "n1=host", "n1=host:", "n1=host:0", "n1=host:70000", "=host:1", "n1=:1", "n1=host:x"})
    void refusesMalformedEntries(String entry) {
        assertThatThrownBy(() -> Peer.parse(entry, "n1", 7070))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + entry + "'");
    }

    @Test
    void refusesDuplicatesAndAListWithoutThisNode() {
        assertThatThrownBy(() -> Peer.parse("n1=a:1,n1=b:2", "n1", 1)).hasMessageContaining("twice");
        assertThatThrownBy(() -> Peer.parse("n1=a:1,n2=b:2", "n3", 1)).hasMessageContaining("muster.node-id");
    }
}
