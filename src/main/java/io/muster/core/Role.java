package io.muster.core;

/**
 * What a token may do. Each role includes the ones below it: a writer also reads, an admin does
 * everything (membership, tokens, SQL queries, snapshots, the audit trail).
 */
public enum Role {
    READER,
    WRITER,
    ADMIN;

    /** Whether holding this role grants {@code required}. */
    public boolean includes(Role required) {
        return compareTo(required) >= 0;
    }

    /** The lower-case name used in the API and the audit trail. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The role whose {@link #label()} is {@code label}, ignoring case; {@code null} for none. */
    public static Role ofLabel(String label) {
        for (Role role : values()) {
            if (role.name().equalsIgnoreCase(label)) {
                return role;
            }
        }
        return null;
    }
}
