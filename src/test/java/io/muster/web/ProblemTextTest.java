package io.muster.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Library messages lose every Java class name, and what the client sent or did wrong stays readable. */
class ProblemTextTest {

    @Test
    void removesQualifiedAndSimpleClassNames() {
        assertThat(ProblemText.plain("Deserialization failed, cause: \"java.lang.ClassNotFoundException: no.such.Class\" "
                + "[90027-240]")).isEqualTo("Deserialization failed, cause: [90027-240]");
        assertThat(ProblemText.plain("Unrecognized property \"ttl\" (class io.muster.lease.LeaseController$GrantRequest), "
                + "not marked as ignorable")).isEqualTo("Unrecognized property \"ttl\", not marked as ignorable");
        assertThat(ProblemText.plain("Request processing failed: java.lang.IllegalStateException: stream closed"))
                .isEqualTo("Request processing failed: stream closed");
        assertThat(ProblemText.plain("ServletException thrown by QueryController")).isEqualTo("thrown by");
        assertThat(ProblemText.plain("Cannot deserialize value of type `long` from String \"10\""))
                .isEqualTo("Cannot deserialize value of type `long` from String \"10\"");
    }

    @Test
    void keepsPlainTextAndPropertyNames() {
        assertThat(ProblemText.plain("TRACE method is not allowed")).isEqualTo("TRACE method is not allowed");
        assertThat(ProblemText.plain("muster.limits.max-request-bytes is 2097152"))
                .isEqualTo("muster.limits.max-request-bytes is 2097152");
        assertThat(ProblemText.plain(null)).isEmpty();
    }
}
