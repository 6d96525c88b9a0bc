package io.muster.security;

import io.muster.MusterProperties;
import io.muster.core.Command;
import io.muster.core.RejectedException;
import io.muster.core.Role;
import io.muster.core.Token;
import io.muster.replication.Consistency;
import io.muster.replication.Gateway;
import io.muster.replication.GatewayException;
import io.muster.replication.Replica;
import io.muster.support.PeriodicDuty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes sure a cluster has an admin token. Once per term, on the leader:
 * <ul>
 * <li>with {@code muster.security.bootstrap-token} configured, the {@code admin} token is made to
 * have that secret (created, or replaced when the configured secret changed);</li>
 * <li>without one, a cluster that has no tokens at all gets a generated {@code admin} token, whose
 * secret is written to {@code <data-dir>/admin.token} (owner-only) before it is proposed, and
 * whose location (never the secret) is logged.</li>
 * </ul>
 * The same pass keeps the tokens of {@code muster.security.declared-tokens} as declared (created, or
 * replaced when their secret, role or prefixes differ); a token no longer declared is left alone, for
 * an admin to revoke. Only SHA-256 hashes are proposed; the commands are Muster's own, not a client's.
 */
@Component
class BootstrapToken extends PeriodicDuty {

    static final String NAME = "admin";
    static final String FILE = "admin.token";
    private static final Logger log = LoggerFactory.getLogger(BootstrapToken.class);

    private final Replica node;
    private final Gateway gateway;
    private final SecurityProperties security;
    private final Path file;
    private long ensuredTerm = -1;
    /** The term in which a declared token waiting for the cluster version was last reported. */
    private long heldBackTerm = -1;

    BootstrapToken(Replica node, Gateway gateway, SecurityProperties security, MusterProperties properties) {
        super("muster-bootstrap-token", Replica.PHASE + 1, Duration.ofMillis(200), Duration.ofMillis(500));
        this.node = node;
        this.gateway = gateway;
        this.security = security;
        this.file = properties.dataDir().resolve(FILE).toAbsolutePath().normalize();
        if (!security.enabled()) {
            log.warn("*** SECURITY IS OFF (muster.security.enabled=false): every request is accepted without a "
                    + "token. Never run a shared or production node like this. ***");
        }
    }

    /** Once per term in which this node leads, until the cluster is known to have its admin token. */
    @Override
    protected void runOnce() {
        long term = node.leadingTerm();
        if (term < 0 || term == ensuredTerm) {
            return;
        }
        try {
            if (ensure(term)) {
                ensuredTerm = term;
            }
        } catch (GatewayException | IOException e) {
            log.warn("could not make sure the cluster has an admin token yet; trying again: {}", e.getMessage());
        }
    }

    /** Returns whether every token is as configured (false: one waits for the cluster version; try again). */
    private boolean ensure(long term) throws IOException {
        // Whether the cluster had no tokens at all, before the declared ones are added.
        boolean none = gateway.read(Consistency.LINEARIZABLE, 0, store -> store.tokens().isEmpty()).value();
        boolean complete = true;
        for (SecurityProperties.DeclaredToken declared : security.declaredTokens()) {
            complete &= keep(term, declared.name(), Secrets.hash(declared.secret()), Role.ofLabel(declared.role()),
                    declared.prefixes(), declared.services(), "its declared secret, role, prefixes and services");
        }
        if (!security.bootstrapToken().isEmpty()) {
            return keep(term, NAME, Secrets.hash(security.bootstrapToken()), Role.ADMIN, List.of(), List.of(),
                    "the configured muster.security.bootstrap-token") && complete;
        }
        if (!security.enabled() || !none) {
            return complete;
        }
        String secret = Secrets.generate();
        write(secret);
        try {
            gateway.writeAsMuster(new Command.CreateToken(NAME, Secrets.hash(secret), Role.ADMIN, List.of(), false));
        } catch (RejectedException tokenAppeared) {
            Files.deleteIfExists(file);
            return complete;
        }
        log.warn("This cluster had no API tokens: generated the '{}' token and wrote its secret to {} (readable by "
                + "its owner only). Use it as 'Authorization: Bearer <secret>'; set muster.security.bootstrap-token "
                + "to choose the secret instead.", NAME, file);
        return complete;
    }

    /** Makes token {@code name} have this secret hash, role and prefixes, proposing only when it has not. */
    /**
     * Makes token {@code name} have this secret hash, role, prefixes and services, proposing only when it
     * has not. Returns false while the cluster's version does not allow it yet (services need version 3).
     */
    private boolean keep(long term, String name, byte[] hash, Role role, List<String> prefixes, List<String> services,
            String what) {
        Token current = gateway.read(Consistency.LINEARIZABLE, 0, store -> store.token(name)).value();
        if (current != null && Arrays.equals(current.secretHash(), hash) && current.role() == role
                && current.prefixes().equals(prefixes) && current.services().equals(services)) {
            return true;
        }
        try {
            gateway.writeAsMuster(new Command.CreateToken(name, hash, role, prefixes, true, services));
            log.info("the '{}' token now has {}", name, what);
        } catch (RejectedException refused) {
            // Another token already has this secret: asking again every period would only log refusals.
            log.warn("the '{}' token could not be given {}: {}", name, what, refused.rejected().detail());
        } catch (GatewayException.FeatureNotEnabled notYet) {
            // Services need every member on a build that knows them: asked again every pass, reported once a term.
            if (heldBackTerm != term) {
                heldBackTerm = term;
                log.info("the '{}' token waits for the cluster version to allow services: {}", name, notYet.getMessage());
            }
            return false;
        }
        return true;
    }

    /** Writes the secret owner-only, replacing the file in one step so that no reader sees half of it. */
    private void write(String secret) throws IOException {
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(FILE + ".partial");
        Files.deleteIfExists(partial);
        try {
            Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(partial);
        }
        Files.writeString(partial, secret + "\n", StandardCharsets.US_ASCII);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
