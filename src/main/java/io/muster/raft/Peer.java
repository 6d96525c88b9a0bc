package io.muster.raft;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A member of the initial Raft configuration, as written in {@code muster.peers}: {@code id=host:port}.
 */
public record Peer(String id, String host, int port) {

    public String address() {
        return host + ":" + port;
    }

    /**
     * Parses {@code muster.peers}. An empty list means a cluster of {@code self} alone at
     * {@code localhost:selfPort}.
     *
     * @throws IllegalArgumentException naming the entry that is malformed, duplicated, or when the
     *                                  list does not contain {@code self}
     */
    public static List<Peer> parse(String peers, String self, int selfPort) {
        if (peers == null || peers.isBlank()) {
            return List.of(new Peer(self, "localhost", selfPort));
        }
        List<Peer> parsed = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (String item : peers.split(",")) {
            Peer peer = parseOne(item.trim());
            if (!ids.add(peer.id())) {
                throw new IllegalArgumentException("muster.peers names '" + peer.id() + "' twice");
            }
            parsed.add(peer);
        }
        if (!ids.contains(self)) {
            throw new IllegalArgumentException("muster.peers (" + peers + ") does not contain this node's id '" + self
                    + "' (muster.node-id)");
        }
        return List.copyOf(parsed);
    }

    private static Peer parseOne(String item) {
        int equals = item.indexOf('=');
        int colon = item.lastIndexOf(':');
        if (equals < 1 || colon < equals + 2 || colon == item.length() - 1) {
            throw new IllegalArgumentException("muster.peers entry '" + item + "' is not id=host:port");
        }
        int port;
        try {
            port = Integer.parseInt(item.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("muster.peers entry '" + item + "' has no valid port");
        }
        return new Peer(item.substring(0, equals), item.substring(equals + 1, colon), port);
    }
}
