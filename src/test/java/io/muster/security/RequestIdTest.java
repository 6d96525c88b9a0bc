package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.core.TokenRules;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdTest {

    @Test
    void generatedRequestIdsAreDistinctVersion4UuidsThatTheFilterWouldAccept() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = TokenFilter.newRequestId();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.toString()).isEqualTo(id);
            assertThat(TokenRules.requestIdProblem(id)).isNull();
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
    }
}
