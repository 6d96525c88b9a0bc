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

    @Test
    void aMembersAddressIsAHostAndAPort() {
        assertThat(Peer.of("n4", "10.0.0.4:7070")).isEqualTo(new Peer("n4", "10.0.0.4", 7070));
        assertThat(Peer.of("n4", "muster-3.muster.ns.svc:7070").host()).isEqualTo("muster-3.muster.ns.svc");
        assertThat(Peer.of("n4", "[fd00::4]:7070").host()).isEqualTo("[fd00::4]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-port", "host:", ":7070", "host:0", "host:65536", "ho st:1", "-host:1", "host/x:1",
            "fd00::4:7070", "host:1x"})
    void refusesMalformedAddresses(String address) {
        assertThatThrownBy(() -> Peer.of("n4", address)).isInstanceOf(IllegalArgumentException.class);
    }
}
