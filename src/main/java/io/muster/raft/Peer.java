package io.muster.raft;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A member of the initial Raft configuration, as written in {@code muster.peers}: {@code id=host:port}.
 */
public record Peer(String id, String host, int port) {

    /** A DNS name or IPv4 address, or an IPv6 address in brackets. */
    private static final Pattern HOST = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]{2,45}\\]");

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

    /**
     * Parses one member's Raft address, {@code host:port} (a host name, an IPv4 address, or an IPv6
     * address in brackets).
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static Peer of(String id, String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 1 || colon == address.length() - 1) {
            throw new IllegalArgumentException("'" + address + "' is not host:port");
        }
        String host = address.substring(0, colon);
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + host + "' is not a host name or IP address");
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + address + "' has no port between 1 and 65535");
        }
        return new Peer(id, host, port);
    }

    private static Peer parseOne(String item) {
        int equals = item.indexOf('=');
        if (equals < 1) {
            throw new IllegalArgumentException("muster.peers entry '" + item + "' is not id=host:port");
        }
        try {
            return of(item.substring(0, equals), item.substring(equals + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("muster.peers entry '" + item + "': " + e.getMessage(), e);
        }
    }
}
