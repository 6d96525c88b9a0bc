package io.muster.replication;

/**
 * Digests of the state at a revision: {@code sha256} of its snapshot encoding (node against node),
 * {@code contentSha256} of its entries alone (state against the H2 view).
 */
public record StateDigest(long revision, String sha256, String contentSha256) {
}
