package io.muster.web;

import io.muster.core.Rejected;

/** Turns a store's rejection into the problem the API answers with. */
public final class Rejections {

    private Rejections() {
    }

    /** The problem the API answers a rejection with. */
    public static ProblemException problem(Rejected rejected) {
        return switch (rejected.reason()) {
            case PRECONDITION_FAILED -> new ProblemException(ProblemType.PRECONDITION_FAILED, rejected.detail())
                    .with("key", rejected.key())
                    .with("currentModRevision", rejected.currentModRevision())
                    .with("revision", rejected.revision());
            case INVALID_COMMAND -> new ProblemException(ProblemType.COMMAND_REFUSED, rejected.detail());
            case LEASE_NOT_FOUND -> new ProblemException(ProblemType.LEASE_NOT_FOUND, rejected.detail())
                    .with("revision", rejected.revision());
            case INSTANCE_NOT_FOUND -> new ProblemException(ProblemType.INSTANCE_NOT_FOUND, rejected.detail())
                    .with("revision", rejected.revision());
            case PERMISSION_DENIED -> new ProblemException(ProblemType.FORBIDDEN, rejected.detail())
                    .with("revision", rejected.revision());
            case TOKEN_EXISTS -> new ProblemException(ProblemType.TOKEN_EXISTS, rejected.detail());
            case TOKEN_NOT_FOUND -> new ProblemException(ProblemType.TOKEN_NOT_FOUND, rejected.detail());
            case IDEMPOTENCY_KEY_REUSED -> new ProblemException(ProblemType.IDEMPOTENCY_KEY_REUSED, rejected.detail())
                    .with("field", "Idempotency-Key");
            case RELEASE_NOT_FOUND -> new ProblemException(ProblemType.RELEASE_NOT_FOUND, rejected.detail());
            case RELEASE_NOT_OPEN -> new ProblemException(ProblemType.RELEASE_NOT_OPEN, rejected.detail())
                    .with("revision", rejected.revision());
            case DOCUMENT_IN_GRAY -> new ProblemException(ProblemType.DOCUMENT_IN_GRAY, rejected.detail())
                    .with("key", rejected.key());
            // The release API answers conflicts with every document named (io.muster.release); this is the rest.
            case RELEASE_CONFLICT -> new ProblemException(ProblemType.RELEASE_CONFLICT, rejected.detail())
                    .with("key", rejected.key()).with("currentModRevision", rejected.currentModRevision());
            case SAME_AUTHOR -> new ProblemException(ProblemType.SAME_AUTHOR, rejected.detail());
            case CONFIG_INVALID -> new ProblemException(ProblemType.CONFIG_INVALID, rejected.detail());
            case TOO_MANY_OPEN_RELEASES -> new ProblemException(ProblemType.TOO_MANY_OPEN_RELEASES, rejected.detail());
        };
    }
}
