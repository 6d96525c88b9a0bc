package io.muster.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A token confined to services may write instances of those services only (with the lease a
 * registration makes for itself) and read the registry, and nothing else that is not a key under its
 * prefixes; such tokens need cluster version 3, and the rules for naming services hold.
 */
class ServiceScopesTest {

    private static final Token APP = new Token("payments-app", new byte[32], Role.WRITER, List.of("config/payments/"),
            1, 1, List.of("payments"));
    private static final Token ANY = new Token("mesh", new byte[32], Role.WRITER, List.of(), 1, 1, List.of("*"));
    private static final Token PREFIXES_ONLY = new Token("team", new byte[32], Role.WRITER, List.of("team/"), 1, 1);
    private static final Token READER = new Token("watcher", new byte[32], Role.READER, List.of("config/payments/"), 1, 1,
            List.of("payments"));

    private static Command.RegisterInstance register(String service, long lease) {
        return new Command.RegisterInstance(service, "i-1", "10.0.0.1", 8080, "", List.of(), new TreeMap<>(),
                Instance.Status.UP, lease, 30_000);
    }

    @Test
    void aServiceTokenWritesItsOwnServicesOnly() {
        assertThat(Access.denial(APP, register("payments", 0))).isNull();
        assertThat(Access.denial(APP, new Command.SetInstanceStatus("payments", "i-1", Instance.Status.DOWN))).isNull();
        assertThat(Access.denial(APP, new Command.DeregisterInstance("payments", "i-1"))).isNull();
        assertThat(Access.denial(APP, register("orders", 0))).contains("confined to services [payments]")
                .contains("'orders' is outside them");
        assertThat(Access.denial(APP, new Command.DeregisterInstance("orders", "i-1"))).contains("outside");
        assertThat(Access.denial(ANY, register("orders", 0))).isNull();
    }

    @Test
    void aServiceTokenUsesNoLeaseLockOrKeyOutsideItsPrefixes() {
        assertThat(Access.denial(APP, register("payments", 12))).as("a lease of its own").contains("may not use leases");
        assertThat(Access.denial(APP, new Command.GrantLease(10_000))).contains("may not use leases");
        assertThat(Access.denial(APP, new Command.AcquireLock("jobs/x", 1, "me"))).isNotNull();
        assertThat(Access.denial(APP, new Command.Put("config/payments/default", new byte[0], "application/yaml",
                Command.ANY))).isNull();
        assertThat(Access.denial(APP, new Command.Put("other/key", new byte[0], "text/plain", Command.ANY))).contains("outside");
        assertThat(Access.denial(ANY, new Command.Put("any/key", new byte[0], "text/plain", Command.ANY)))
                .as("a token confined to services alone reaches no key").contains("outside");
    }

    @Test
    void readingTheRegistryNeedsAServiceScopeOrNoConfinement() {
        assertThat(Access.serviceReadDenial(APP)).isNull();
        assertThat(Access.serviceReadDenial(READER)).isNull();
        assertThat(Access.serviceReadDenial(PREFIXES_ONLY)).contains("confined to key prefixes");
        assertThat(Access.denial(READER, register("payments", 0))).as("the scope grants its instances").isNull();
        assertThat(Access.denial(READER, new Command.Put("config/payments/x", new byte[0], "text/plain", Command.ANY)))
                .as("its keys stay read-only").contains("needs writer");
        assertThat(Access.denial(PREFIXES_ONLY, register("payments", 0))).contains("may not use");
        assertThat(Access.serviceWriterRole(READER)).isEqualTo(Role.READER);
        assertThat(Access.serviceWriterRole(PREFIXES_ONLY)).isEqualTo(Role.WRITER);
        assertThat(Access.unconfinedDenial(APP)).contains("and services [payments]");
    }

    @Test
    void serviceScopesNeedClusterVersionThree() {
        assertThat(ClusterVersion.required(new Command.CreateToken("a", new byte[32], Role.WRITER, List.of(), false,
                List.of("payments")))).isEqualTo(3);
        assertThat(ClusterVersion.required(new Command.CreateToken("a", new byte[32], Role.WRITER, List.of(), false)))
                .isEqualTo(ClusterVersion.BASELINE);
    }

    @Test
    void serviceScopesFollowTheServiceNameRules() {
        assertThat(TokenRules.servicesProblem(Role.WRITER, List.of("payments", "*"))).isNull();
        assertThat(TokenRules.servicesProblem(Role.ADMIN, List.of("payments"))).contains("admin");
        assertThat(TokenRules.servicesProblem(Role.WRITER, List.of("pay ments"))).startsWith("services:");
        assertThat(TokenRules.servicesProblem(Role.WRITER, List.of("a", "a"))).contains("repeat");
        assertThat(TokenRules.servicesProblem(Role.READER, java.util.Collections.nCopies(17, "x"))).contains("at most");
    }

    @Test
    void aScopedTokenIsCreatedWithItsServicesAndRoundTripsThroughTheCodec() {
        KvStore store = new KvStore();
        store.apply(1, new Stamp(1_000, 3), new Command.RaiseClusterVersion(2));
        store.apply(2, new Stamp(1_001, 3), new Command.RaiseClusterVersion(3));
        Command.CreateToken create = new Command.CreateToken("payments-app", new byte[32], Role.WRITER,
                List.of("config/payments/"), false, List.of("payments"));
        TokenResult created = (TokenResult) store.apply(3, new Stamp(1_002, 3), create).result();
        assertThat(created.token().services()).containsExactly("payments");
        assertThat(CommandCodec.decodeCommand(CommandCodec.encodeCommand(create))).isEqualTo(create);
        assertThat(ResultCodec.decode(ResultCodec.encode(created))).isEqualTo(created);
    }
}
