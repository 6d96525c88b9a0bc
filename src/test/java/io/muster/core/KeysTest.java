package io.muster.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Proves the key grammar: what is accepted and what is refused with a reason. */
class KeysTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "payments/db/url", "A-Z.a_z~0:9@x=y+z", "a/b/c/d", "..a/b.."})
    void acceptsKeysOfTheGrammar(String key) {
        assertThat(Keys.problem(key)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/a", "a/", "a//b", "a/./b", "a/../b", "..", "a b", "a?b", "a%2Fb", "ä", "a\nb", "a#b"})
    void refusesKeysOutsideTheGrammar(String key) {
        assertThat(Keys.problem(key)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 513})
    void limitsKeysTo512Bytes(int length) {
        String key = "k".repeat(length);
        assertThat(Keys.problem(key) == null).isEqualTo(length <= 512);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "payments/", "pay", "a/b/"})
    void acceptsPrefixesWithOrWithoutATrailingSlash(String prefix) {
        assertThat(Keys.prefixProblem(prefix)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "a//", "a b/"})
    void refusesMalformedPrefixes(String prefix) {
        assertThat(Keys.prefixProblem(prefix)).startsWith("prefix: ");
    }
}
