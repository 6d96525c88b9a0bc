package io.muster.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys a command changed, read from the command and the result of applying it: a put's or
 * delete's key, the puts and deletes of the branch a transaction ran, the keys bound to leases that
 * ended, nothing for a rejection or a grant. Lets a follower of the state (the H2 view) re-read
 * exactly what changed.
 */
public final class WrittenKeys {

    private WrittenKeys() {
    }

    /** The keys {@code command} wrote when applying it gave {@code result}, each once, in order. */
    public static List<String> of(Command command, Result result) {
        command = Command.Authored.unwrap(command);
        if (result instanceof Rejected || result instanceof TokenResult || result instanceof DesiredVotersSet || result instanceof LeaseGranted || result instanceof InstanceWritten
                || result instanceof InstanceRemoved || result instanceof LockResult) {
            return List.of();
        }
        if (result instanceof LeasesEnded ended) {
            return ended.deletedKeys();
        }
        if (command instanceof Command.Put put) {
            return List.of(put.key());
        }
        if (command instanceof Command.Delete delete) {
            return result instanceof DeleteResult deleted && deleted.deleted() ? List.of(delete.key()) : List.of();
        }
        Command.Txn txn = (Command.Txn) command;
        TxnResult ran = (TxnResult) result;
        Set<String> keys = new LinkedHashSet<>();
        for (Op op : ran.succeeded() ? txn.then() : txn.otherwise()) {
            if (op instanceof Op.Put put) {
                keys.add(put.key());
            } else if (op instanceof Op.Delete delete) {
                keys.add(delete.key());
            }
        }
        return new ArrayList<>(keys);
    }
}
