package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.core.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/** A client write is authored by the caller of its request, and one outside any request fails closed. */
class RequestAuthorTest {

    private final RequestAuthor author = new RequestAuthor(60_000);
    private final Command.Delete delete = new Command.Delete("app/k", Command.ANY);

    @AfterEach
    void leaveTheRequest() {
        RequestContextHolder.resetRequestAttributes();
    }

    @Test
    void aClientWriteOutsideAnyRequestIsRefusedRatherThanSentWithMustersOwnRights() {
        assertThatThrownBy(() -> author.author(delete)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside any request");
        MockHttpServletRequest unfiltered = new MockHttpServletRequest();
        RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(unfiltered));
        assertThatThrownBy(() -> author.author(delete)).as("a request the token filter never saw")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aClientWriteCarriesItsCallerAndItsIdempotencyKey() {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setAttribute(Caller.ATTRIBUTE, new Caller(null, "request-1", "key-1"));
        RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
        assertThat(author.author(delete)).isEqualTo(
                new Command.Authored(Command.Authored.ANONYMOUS, "request-1", "key-1", 60_000, delete));
        assertThat(author.author(delete)).as("a second proposal of the same request goes without the key")
                .isEqualTo(new Command.Authored(Command.Authored.ANONYMOUS, "request-1", delete));
    }
}
