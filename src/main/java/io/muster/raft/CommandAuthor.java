package io.muster.raft;

import io.muster.core.Command;

/**
 * Says who proposes a command: turns a client's command into a {@link Command.Authored} one (or
 * refuses it) before the gateway sends it. Commands Muster proposes itself go out unchanged.
 */
@FunctionalInterface
public interface CommandAuthor {

    /** Proposes every command as Muster's own; for nodes and tests without an API in front. */
    CommandAuthor SYSTEM = command -> command;

    /** The command to propose in place of {@code command}; throws when its author may not propose it. */
    Command author(Command command);
}
