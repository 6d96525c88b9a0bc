package io.muster.raft;

import io.muster.core.CommandCodec;
import io.muster.core.UndecodableException;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Ratis' side of admitting a proposed command on the leader ({@code startTransaction}): decodes it,
 * asks the {@link Admission} policy, and either refuses it or logs it with the leader's stamp.
 * Thread-safe.
 */
final class Admitter {

    private final Admission admission;

    Admitter(Admission admission) {
        this.admission = admission;
    }

    TransactionContext start(StateMachine stateMachine, RaftClientRequest request) {
        byte[] commandBytes = request.getMessage().getContent().toByteArray();
        TransactionContext.Builder builder = TransactionContext.newBuilder().setStateMachine(stateMachine)
                .setClientRequest(request);
        String problem;
        try {
            problem = admission.problem(CommandCodec.decodeCommand(commandBytes), commandBytes.length);
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
}
