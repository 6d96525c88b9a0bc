package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS through a Spring Boot SSL bundle of PEM files: the API answers over TLS with the bundle's
 * certificate, and a plaintext request to the same port gets no API answer.
 */
class HttpsIT {

    @TempDir
    static Path root;
    static TestCluster cluster;
    static Path trusted;

    @BeforeAll
    static void start() {
        TestCertificates.Issued authority = TestCertificates.authority("muster-https-ca");
        trusted = authority.write(root.resolve("certs"), "ca").certificate();
        TestCertificates.Pem server = TestCertificates.peer(authority, "n1", List.of("127.0.0.1"))
                .write(root.resolve("certs"), "server");
        cluster = TestCluster.start(1, root.resolve("nodes"), Map.of(
                "server.ssl.bundle", "api",
                "spring.ssl.bundle.pem.api.keystore.certificate", server.certificate().toString(),
                "spring.ssl.bundle.pem.api.keystore.private-key", server.privateKey().toString(),
                "muster.security.bootstrap-token", TestNode.ADMIN_TOKEN + "-https"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void theApiAnswersOverTlsAndNotInPlaintext() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(trusted)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
        String base = "https://127.0.0.1:" + cluster.node(1).httpPort;

        HttpResponse<String> cluster = Waits.until("the admin token over HTTPS", TestCluster.DEADLINE, () -> {
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/cluster"))
                        .header("Authorization", Http.bearer(TestNode.ADMIN_TOKEN + "-https")).build(),
                        HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200 ? response : null;
            } catch (java.io.IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(cluster.body()).contains("\"role\":\"LEADER\"");
        assertThat(cluster.sslSession()).isPresent();
        HttpResponse<String> plaintext = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + HttpsIT.cluster.node(1).httpPort + "/v1/cluster"))
                .header("Authorization", Http.bearer(TestNode.ADMIN_TOKEN + "-https")).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plaintext.statusCode()).as("plaintext HTTP to the TLS port").isEqualTo(400);
        assertThat(plaintext.body()).doesNotContain("LEADER");
    }
}
