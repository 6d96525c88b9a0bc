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
 * Only SHA-256 hashes are proposed; the command is Muster's own, not a client's.
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
            ensure();
            ensuredTerm = term;
        } catch (GatewayException | IOException e) {
            log.warn("could not make sure the cluster has an admin token yet; trying again: {}", e.getMessage());
        }
    }

    private void ensure() throws IOException {
        if (!security.bootstrapToken().isEmpty()) {
            byte[] hash = Secrets.hash(security.bootstrapToken());
            Token current = gateway.read(Consistency.LINEARIZABLE, 0, store -> store.token(NAME)).value();
            if (current == null || !Arrays.equals(current.secretHash(), hash) || current.role() != Role.ADMIN
                    || current.scoped()) {
                try {
                    gateway.writeAsMuster(new Command.CreateToken(NAME, hash, Role.ADMIN, List.of(), true));
                    log.info("the '{}' token now has the configured muster.security.bootstrap-token", NAME);
                } catch (RejectedException refused) {
                    // Another token already has this secret: asking again every period would only log refusals.
                    log.warn("the '{}' token could not be given the configured muster.security.bootstrap-token: {}",
                            NAME, refused.rejected().detail());
                }
            }
            return;
        }
        if (!security.enabled()) {
            return;
        }
        boolean none = gateway.read(Consistency.LINEARIZABLE, 0, store -> store.tokens().isEmpty()).value();
        if (!none) {
            return;
        }
        String secret = Secrets.generate();
        write(secret);
        try {
            gateway.writeAsMuster(new Command.CreateToken(NAME, Secrets.hash(secret), Role.ADMIN, List.of(), false));
        } catch (RejectedException tokenAppeared) {
            Files.deleteIfExists(file);
            return;
        }
        log.warn("This cluster had no API tokens: generated the '{}' token and wrote its secret to {} (readable by "
                + "its owner only). Use it as 'Authorization: Bearer <secret>'; set muster.security.bootstrap-token "
                + "to choose the secret instead.", NAME, file);
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
