package io.muster.wait;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.wait.MinRevisionFilter.Target;
import org.junit.jupiter.api.Test;

/**
 * How the minRevision filter reads a request: the revision from the query string as Tomcat decodes it
 * (anything malformed is left to the controller, which refuses it), and which endpoints wait for the
 * H2 view rather than for the node's applied state.
 */
class MinRevisionFilterTest {

    @Test
    void findsMinRevisionInTheQueryStringAsTomcatDecodesIt() {
        assertThat(MinRevisionFilter.fromQuery("minRevision=42")).isEqualTo(42L);
        assertThat(MinRevisionFilter.fromQuery("consistency=stale&minRevision=7&limit=3")).isEqualTo(7L);
        assertThat(MinRevisionFilter.fromQuery("min%52evision=9")).as("an encoded name").isEqualTo(9L);
        assertThat(MinRevisionFilter.fromQuery("minRevision=%31%32")).as("an encoded value").isEqualTo(12L);
    }

    @Test
    void leavesAbsentOrMalformedValuesToTheController() {
        assertThat(MinRevisionFilter.fromQuery(null)).isNull();
        assertThat(MinRevisionFilter.fromQuery("")).isNull();
        assertThat(MinRevisionFilter.fromQuery("minRevisionX=4&xminRevision=5")).isNull();
        assertThat(MinRevisionFilter.fromQuery("minRevision")).isNull();
        assertThat(MinRevisionFilter.fromQuery("minRevision=abc")).isNull();
        assertThat(MinRevisionFilter.fromQuery("minRevision=99999999999999999999")).isNull();
        assertThat(MinRevisionFilter.fromQuery("minRevision=%ZZ")).isNull();
        assertThat(MinRevisionFilter.fromQuery("minRevision=-3")).as("the controller refuses it").isEqualTo(-3L);
    }

    @Test
    void theViewsEndpointsWaitForTheViewAndEveryOtherForTheAppliedState() {
        assertThat(Target.of("/v1/history/app/x")).isEqualTo(Target.VIEW);
        assertThat(Target.of("/v1/rollback/app/x")).isEqualTo(Target.VIEW);
        assertThat(Target.of("/v1/search")).isEqualTo(Target.VIEW);
        assertThat(Target.of("/v1/query")).isEqualTo(Target.VIEW);
        assertThat(Target.of("/v1/audit")).isEqualTo(Target.VIEW);
        assertThat(Target.of("/v1/kv/history/x")).isEqualTo(Target.STATE);
        assertThat(Target.of("/v1/kv")).isEqualTo(Target.STATE);
        assertThat(Target.of("/v1/leases/3")).isEqualTo(Target.STATE);
        assertThat(Target.of("/v1/services/web")).isEqualTo(Target.STATE);
    }
}
