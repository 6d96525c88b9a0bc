package io.muster.raft;

import io.muster.core.ClusterVersion;
import io.muster.core.Command;
import io.muster.core.CommandCodec;
import io.muster.core.UndecodableException;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import java.util.function.IntSupplier;

/**
 * Ratis' side of admitting a proposed command on the leader ({@code startTransaction}): decodes it,
 * asks the {@link Admission} policy, and either refuses it or logs it with the leader's stamp. It also
 * refuses a command of a feature level above the cluster version the leader has applied (the gateway
 * refuses those first; this stops any path that skipped it from logging what a member cannot apply).
 * A raise of the version is what lifts that gate and is always admitted. Thread-safe.
 */
final class Admitter {

    private final Admission admission;
    private final IntSupplier clusterVersion;

    Admitter(Admission admission, IntSupplier clusterVersion) {
        this.admission = admission;
        this.clusterVersion = clusterVersion;
    }

    TransactionContext start(StateMachine stateMachine, RaftClientRequest request) {
        byte[] commandBytes = request.getMessage().getContent().toByteArray();
        TransactionContext.Builder builder = TransactionContext.newBuilder().setStateMachine(stateMachine)
                .setClientRequest(request);
        String problem;
        try {
            Command command = CommandCodec.decodeCommand(commandBytes);
            problem = levelProblem(command);
            if (problem == null) {
                problem = admission.problem(command, commandBytes.length);
            }
        } catch (UndecodableException e) {
            problem = "undecodable command: " + e.getMessage();
        }
        if (problem != null) {
            TransactionContext refused = builder.build();
            refused.setException(new StateMachineException(problem));
            return refused;
        }
        byte[] entry = CommandCodec.encodeEntry(admission.stamp(), commandBytes);
        return builder.setLogData(ByteString.copyFrom(entry)).build();
    }

    /** Why {@code command} may not be logged at the cluster version applied here, or {@code null}. */
    String levelProblem(Command command) {
        if (Command.Authored.unwrap(command) instanceof Command.RaiseClusterVersion) {
            return null;
        }
        int required = ClusterVersion.required(command);
        int current = clusterVersion.getAsInt();
        return required > current ? "this command needs cluster version " + required + ", and the cluster runs at "
                + current + ": a member may not be able to apply it" : null;
    }
}
