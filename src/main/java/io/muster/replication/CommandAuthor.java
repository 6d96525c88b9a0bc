package io.muster.replication;

import io.muster.core.Command;

/**
 * Says who proposes a command: turns a client's command into a {@link Command.Authored} one (or
 * refuses it) before the gateway sends it, for {@link Gateway#write}. Muster's own commands do not
 * come here: they go out unchanged through {@link Gateway#writeAsMuster}.
 */
@FunctionalInterface
public interface CommandAuthor {

    /** The command to propose in place of {@code command}; throws when its author may not propose it. */
    Command author(Command command);
}
