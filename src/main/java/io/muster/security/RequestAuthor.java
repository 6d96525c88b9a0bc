package io.muster.security;

import io.muster.core.Access;
import io.muster.core.Command;
import io.muster.raft.CommandAuthor;
import org.springframework.stereotype.Component;

/**
 * Stamps the caller of the current request on every command it proposes, after checking that its
 * token may issue it (403 before anything is proposed; apply checks again against the tokens at that
 * point of the log). A command proposed outside any request is Muster's own and goes out unchanged.
 */
@Component
class RequestAuthor implements CommandAuthor {

    @Override
    public Command author(Command command) {
        Caller caller = Caller.current();
        if (caller == null) {
            return command;
        }
        if (caller.token() != null) {
            Caller.deny(Access.denial(caller.token(), command));
        }
        return new Command.Authored(caller.principal(), caller.requestId(), command);
    }
}
