package io.muster.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificate authorities and the certificates they issue, written as PEM files for the TLS tests. */
final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private TestCertificates() {
    }

    /** A key pair with its certificate, signed by {@code issuer} (itself for a CA). */
    record Issued(KeyPair keys, X509Certificate certificate) {

        /** Writes {@code <name>.crt} and {@code <name>.key} (PKCS#8) into {@code dir}. */
        Pem write(Path dir, String name) {
            try {
                Files.createDirectories(dir);
                Path crt = dir.resolve(name + ".crt");
                Path key = dir.resolve(name + ".key");
                Files.writeString(crt, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
                Files.writeString(key, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
                return new Pem(crt, key);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Where a certificate and its key were written. */
    record Pem(Path certificate, Path privateKey) {
    }

    /** A self-signed certificate authority. */
    static Issued authority(String name) {
        KeyPair keys = keys();
        Instant now = Instant.now();
        return new Issued(keys, sign(new X500Name("CN=" + name), keys, new X500Name("CN=" + name), keys,
                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(2)), true, List.of()));
    }

    /** A peer certificate for {@code name}, valid for serving and for client authentication, naming these IP addresses. */
    static Issued peer(Issued authority, String name, List<String> ipAddresses, Instant notBefore, Instant notAfter) {
        KeyPair keys = keys();
        X500Name issuer = new X500Name(authority.certificate().getSubjectX500Principal().getName());
        return new Issued(keys, sign(issuer, authority.keys(), new X500Name("CN=" + name), keys, notBefore, notAfter,
                false, ipAddresses));
    }

    /** A peer certificate valid from an hour ago for two days. */
    static Issued peer(Issued authority, String name, List<String> ipAddresses) {
        Instant now = Instant.now();
        return peer(authority, name, ipAddresses, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(2)));
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject, KeyPair subjectKeys,
            Instant notBefore, Instant notAfter, boolean authority, List<String> ipAddresses) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                    subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            if (authority) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                List<GeneralName> names = new ArrayList<>();
                ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("could not issue a test certificate", e);
        }
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
