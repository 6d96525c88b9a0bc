package io.muster.core;

import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** The API tokens by name, and their names by the SHA-256 of their secrets. */
final class TokenTable extends Table {

    private final NavigableMap<String, Token> tokens = new TreeMap<>();
    /** Token names by the hex SHA-256 of their secret; derived from {@link #tokens}, never in a snapshot. */
    private final Map<String, String> byHash = new TreeMap<>();

    TokenTable(Now now, Effects effects) {
        super(now, effects);
    }

    void restore(Token token) {
        if (token.createRevision() > now.revision || tokens.containsKey(token.name())
                || byHash.containsKey(hex(token.secretHash()))) {
            throw new UndecodableException("snapshot token '" + token.name()
                    + "' is duplicated, shares a secret with another, or is newer than the snapshot");
        }
        put(token);
    }

    Token get(String name) {
        return tokens.get(name);
    }

    Token byHash(byte[] secretHash) {
        String name = byHash.get(hex(secretHash));
        return name == null ? null : tokens.get(name);
    }

    Collection<Token> all() {
        return tokens.values();
    }

    Result create(Command.CreateToken create) {
        Token existing = tokens.get(create.name());
        String holder = byHash.get(hex(create.secretHash()));
        if (existing != null && !create.replace()) {
            return now.rejected(Rejected.Reason.TOKEN_EXISTS, "", "a token named '" + create.name() + "' already exists");
        }
        if (holder != null && !holder.equals(create.name())) {
            return now.rejected(Rejected.Reason.TOKEN_EXISTS, "", "another token already has this secret");
        }
        if (existing != null) {
            byHash.remove(hex(existing.secretHash()));
        }
        Token token = new Token(create.name(), create.secretHash().clone(), create.role(), create.prefixes(),
                now.revision, now.timeMillis, create.services());
        put(token);
        effects.token(token.name(), token);
        return new TokenResult(now.revision, token.name(), token);
    }

    Result revoke(Command.RevokeToken revoke) {
        Token removed = tokens.remove(revoke.name());
        if (removed == null) {
            return now.rejected(Rejected.Reason.TOKEN_NOT_FOUND, "", "no token named '" + revoke.name() + "'");
        }
        byHash.remove(hex(removed.secretHash()));
        effects.token(revoke.name(), null);
        return new TokenResult(now.revision, revoke.name(), null);
    }

    private void put(Token token) {
        tokens.put(token.name(), token);
        byHash.put(hex(token.secretHash()), token.name());
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
