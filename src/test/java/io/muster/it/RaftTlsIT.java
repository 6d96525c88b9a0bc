package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on the Raft port of a real three-node cluster: the cluster forms and replicates over
 * it, and Ratis' own gRPC stack refuses, at the TLS handshake, a plaintext peer, a peer whose
 * certificate another CA signed, a peer with an expired certificate, and a server whose certificate
 * does not name the address dialled.
 */
class RaftTlsIT {

    @TempDir
    static Path root;
    static TestCluster cluster;
    static TestCertificates.Issued authority;
    static TestCertificates.Issued stranger;
    static Path trusted;

    @BeforeAll
    static void start() {
        Path certs = root.resolve("certs");
        authority = TestCertificates.authority("muster-cluster-ca");
        stranger = TestCertificates.authority("some-other-ca");
        trusted = authority.write(certs, "ca").certificate();
        Map<Integer, Map<String, String>> perNode = new HashMap<>();
        for (int i = 1; i <= 3; i++) {
            TestCertificates.Pem pem = TestCertificates.peer(authority, "n" + i, List.of("127.0.0.1")).write(certs, "n" + i);
            perNode.put(i, Map.of("muster.raft.tls.certificate", pem.certificate().toString(),
                    "muster.raft.tls.private-key", pem.privateKey().toString()));
        }
        cluster = TestCluster.start(3, root.resolve("nodes"), Map.of("muster.raft.tls.enabled", "true",
                "muster.raft.tls.trusted-certificates", trusted.toString()), perNode);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void theClusterFormsAndReplicatesOverMutualTls() throws Exception {
        Http.Response put = Http.put(cluster.node(2).url("/v1/kv/tls/key"), "over mutual TLS", "Content-Type", "text/plain");
        assertThat(put.status()).isEqualTo(201);
        assertThat(Http.get(cluster.node(3).url("/v1/kv/tls/key")).text()).isEqualTo("over mutual TLS");
        assertThat(cluster.convergedDigests()).containsOnly(cluster.convergedDigests().get(0));

        TestCertificates.Pem client = TestCertificates.peer(authority, "probe", List.of("127.0.0.1"))
                .write(root.resolve("probe"), "probe");
        try (SSLSocket socket = tlsSocket(client, cluster.node(1).raftPort)) {
            socket.startHandshake();
            Certificate[] chain = socket.getSession().getPeerCertificates();
            assertThat(((X509Certificate) chain[0]).getIssuerX500Principal().getName()).isEqualTo("CN=muster-cluster-ca");
        }
    }

    @Test
    void ratisRefusesPeersThatCannotProveThemselves() throws Exception {
        Instant now = Instant.now();
        TestCertificates.Pem good = TestCertificates.peer(authority, "client", List.of("127.0.0.1"))
                .write(root.resolve("clients"), "good");
        TestCertificates.Pem foreign = TestCertificates.peer(stranger, "client", List.of("127.0.0.1"))
                .write(root.resolve("clients"), "foreign");
        TestCertificates.Pem expired = TestCertificates.peer(authority, "client", List.of("127.0.0.1"),
                now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1))).write(root.resolve("clients"), "expired");
        TestNode target = cluster.node(1);
        String address = "127.0.0.1:" + target.raftPort;

        assertThat(groupInfo(tls(good), address)).as("control: a peer with a cluster certificate").isNull();
        List<String> refused = new ArrayList<>();
        Map<String, Throwable> failures = new java.util.LinkedHashMap<>();
        failures.put("plaintext peer", groupInfo(null, address));
        failures.put("certificate from another CA", groupInfo(tls(foreign), address));
        failures.put("expired certificate", groupInfo(tls(expired), address));
        failures.put("server certificate without the dialled name", groupInfo(tls(good), "localhost:" + target.raftPort));
        failures.forEach((what, failure) -> {
            assertThat(failure).as(what).isNotNull();
            refused.add(what + ": " + rootCause(failure));
            if (!what.equals("plaintext peer")) {
                assertThat(rootCause(failure)).as(what + " fails in TLS").containsIgnoringCase("certificate");
            }
        });
        System.out.println("[raft-tls] refused " + refused.size() + " peers: " + refused);

        // The same at the JDK's level, to see that the refusal is the handshake's.
        assertThatThrownBy(() -> handshakeAndRead(foreign, target.raftPort)).isInstanceOf(SSLException.class);
        assertThatThrownBy(() -> handshakeAndRead(expired, target.raftPort)).isInstanceOf(SSLException.class);
        try (Socket plain = new Socket("127.0.0.1", target.raftPort)) {
            plain.setSoTimeout(5_000);
            plain.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readAnswer(plain.getInputStream())).as("a plaintext HTTP/2 preface gets no HTTP/2 answer")
                    .doesNotContain("\u0000\u0000");
        }
    }

    /** Asks {@code address} for its group; {@code null} when it answered, else what failed. */
    private static Throwable groupInfo(Parameters parameters, String address) {
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        RaftPeerId id = RaftPeerId.valueOf(cluster.node(1).id);
        RaftGroupId groupId = RaftGroupId.valueOf(UUID.fromString(cluster.node(1).status().groupId()));
        RaftPeer peer = RaftPeer.newBuilder().setId(id).setAddress(address).build();
        try (RaftClient client = RaftClient.newBuilder().setClientId(ClientId.randomId())
                .setRaftGroup(RaftGroup.valueOf(groupId, peer)).setProperties(properties).setParameters(parameters)
                .setRetryPolicy(RetryPolicies.noRetry()).build()) {
            client.getGroupManagementApi(id).info(groupId);
            return null;
        } catch (IOException | RuntimeException e) {
            return e;
        }
    }

    private static Parameters tls(TestCertificates.Pem pem) {
        Parameters parameters = new Parameters();
        GrpcConfigKeys.TLS.setConf(parameters, new GrpcTlsConfig(pem.privateKey().toFile(), pem.certificate().toFile(),
                trusted.toFile(), true));
        return parameters;
    }

    private static void handshakeAndRead(TestCertificates.Pem pem, int port) throws Exception {
        try (SSLSocket socket = tlsSocket(pem, port)) {
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            // In TLS 1.3 the server judges the client's certificate after the client finished; its alert
            // arrives with the first read.
            socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.getInputStream().read();
        }
    }

    private static SSLSocket tlsSocket(TestCertificates.Pem pem, int port) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        java.security.cert.CertificateFactory factory = java.security.cert.CertificateFactory.getInstance("X.509");
        Certificate certificate;
        try (InputStream in = java.nio.file.Files.newInputStream(pem.certificate())) {
            certificate = factory.generateCertificate(in);
        }
        String base64 = java.nio.file.Files.readString(pem.privateKey()).replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        java.security.PrivateKey key = java.security.KeyFactory.getInstance("EC").generatePrivate(
                new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(base64)));
        keys.setKeyEntry("peer", key, new char[0], new Certificate[] {certificate});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = java.nio.file.Files.newInputStream(trusted)) {
            trust.setCertificateEntry("ca", factory.generateCertificate(in));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    }

    private static String readAnswer(InputStream in) {
        StringBuilder answer = new StringBuilder();
        try {
            for (int b = in.read(); b >= 0 && answer.length() < 64; b = in.read()) {
                answer.append((char) b);
            }
        } catch (IOException closed) {
            // the server dropped the connection: no answer
        }
        return answer.toString();
    }

    private static String rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
