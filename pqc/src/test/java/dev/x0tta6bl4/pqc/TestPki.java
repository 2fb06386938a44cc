package dev.x0tta6bl4.pqc;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
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
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test fixture: a throw-away certificate authority (Ed25519 or ML-DSA-65) that issues leaf
 * X.509-SVIDs with one URI SAN {@code spiffe://<domain>/node/<id>}, key usage digitalSignature
 * (critical) and EKU serverAuth + clientAuth. Keys come from the Bouncy Castle provider.
 */
final class TestPki {

  private static final AtomicLong SERIALS = new AtomicLong(1);

  private final Provider bc;
  private final String algorithm;
  private final String trustDomain;
  private final KeyPair caKeys;
  private final X509Certificate ca;

  private TestPki(Provider bc, String algorithm, String trustDomain) throws Exception {
    this.bc = bc;
    this.algorithm = algorithm;
    this.trustDomain = trustDomain;
    this.caKeys = KeyPairGenerator.getInstance(algorithm, bc).generateKeyPair();
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=meshd test CA " + trustDomain + " " + algorithm);
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.valueOf(SERIALS.getAndIncrement()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            name,
            caKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    this.ca = sign(b);
  }

  static TestPki ed25519(String trustDomain) throws Exception {
    return new TestPki(CryptoProviders.install().bouncyCastle(), "Ed25519", trustDomain);
  }

  static TestPki mlDsa65(String trustDomain) throws Exception {
    return new TestPki(CryptoProviders.install().bouncyCastle(), "ML-DSA-65", trustDomain);
  }

  X509Certificate ca() {
    return ca;
  }

  String spiffeId(String nodeId) {
    return "spiffe://" + trustDomain + "/node/" + nodeId;
  }

  /** A fresh key pair and leaf SVID for {@code nodeId}, trusting this CA. */
  NodeIdentity issue(String nodeId) throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance(algorithm, bc).generateKeyPair();
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=meshd test CA " + trustDomain + " " + algorithm),
            BigInteger.valueOf(SERIALS.getAndIncrement()),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(Duration.ofHours(1))),
            new X500Name("O=meshd test"),
            keys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(
        Extension.extendedKeyUsage,
        false,
        new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    b.addExtension(
        Extension.subjectAlternativeName,
        true,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId(nodeId))));
    return new NodeIdentity(keys.getPrivate(), List.of(sign(b)), List.of(ca));
  }

  private X509Certificate sign(X509v3CertificateBuilder b) throws Exception {
    return new JcaX509CertificateConverter()
        .setProvider(bc)
        .getCertificate(
            b.build(new JcaContentSignerBuilder(algorithm).setProvider(bc).build(caKeys.getPrivate())));
  }
}
