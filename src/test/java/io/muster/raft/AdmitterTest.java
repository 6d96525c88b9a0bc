package io.muster.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.core.Command;
import io.muster.core.Role;
import io.muster.core.Stamp;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The leader logs nothing a member may not be able to apply: a command above the cluster version it
 * has applied is refused at admission, whichever path proposed it (Muster's own writes included), while
 * a raise of the version, which lifts the gate, is always admitted.
 */
class AdmitterTest {

    private final AtomicInteger version = new AtomicInteger(2);
    private final Admitter admitter = new Admitter(new Admission() {
        @Override
        public String problem(Command command, int encodedBytes) {
            return null;
        }

        @Override
        public Stamp stamp() {
            return new Stamp(0, 10);
        }
    }, version::get);

    @Test
    void aCommandAboveTheClusterVersionIsRefusedUntilTheVersionRises() {
        Command scoped = new Command.CreateToken("app", new byte[32], Role.READER, List.of(), true, List.of("payments"));
        assertThat(admitter.levelProblem(scoped)).contains("needs cluster version 3").contains("runs at 2");
        assertThat(admitter.levelProblem(new Command.Authored("admin", "r-1", scoped))).isNotNull();
        assertThat(admitter.levelProblem(new Command.RaiseClusterVersion(3))).isNull();
        assertThat(admitter.levelProblem(new Command.DeletePrefix("a/"))).isNull();
        version.set(3);
        assertThat(admitter.levelProblem(scoped)).isNull();
    }
}
