package dev.x0tta6bl4.load;

import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.IdentitySource;
import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.PeerVerifier;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
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
 * Benchmark fixture: a CA (Ed25519 by default) issuing leaf SVIDs for benchmark nodes, a fixed
 * identity source and a PKIX peer verifier that does the same work a real one does per
 * handshake (path validation plus the URI SAN). Not for production use.
 */
final class BenchPki {

  private final Provider bc = CryptoProviders.install().bouncyCastle();
  private final String algorithm;
  private final KeyPair caKeys;
  private final X509Certificate ca;
  private long serial = 1;

  BenchPki(String algorithm) throws Exception {
    this.algorithm = algorithm;
    this.caKeys = KeyPairGenerator.getInstance(algorithm, bc).generateKeyPair();
    X500Name name = new X500Name("CN=meshd bench CA");
    X509v3CertificateBuilder b = builder(name, name, caKeys);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    this.ca = sign(b);
  }

  private X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(serial++),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
        subject, keys.getPublic());
  }

  NodeIdentity issue(String nodeId) throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance(algorithm, bc).generateKeyPair();
    X509v3CertificateBuilder b =
        builder(new X500Name("CN=meshd bench CA"), new X500Name("O=meshd bench"), keys);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(new GeneralName(
        GeneralName.uniformResourceIdentifier, "spiffe://bench.example/node/" + nodeId)));
    return new NodeIdentity(keys.getPrivate(), List.of(sign(b)), List.of(ca));
  }

  private X509Certificate sign(X509v3CertificateBuilder b) throws Exception {
    return new JcaX509CertificateConverter().setProvider(bc).getCertificate(
        b.build(new JcaContentSignerBuilder(algorithm).setProvider(bc).build(caKeys.getPrivate())));
  }

  static IdentitySource fixed(NodeIdentity identity) {
    return new IdentitySource() {
      @Override
      public NodeIdentity current() {
        return identity;
      }

      @Override
      public void onRotation(Consumer<NodeIdentity> listener) {}
    };
  }

  /** PKIX validation with BC against the trust bundle, then the single URI SAN. */
  PeerVerifier verifier() {
    Set<TrustAnchor> anchors = Set.of(new TrustAnchor(ca, null));
    return chain -> {
      try {
        PKIXParameters params = new PKIXParameters(anchors);
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX", bc)
            .validate(CertificateFactory.getInstance("X.509", bc).generateCertPath(chain), params);
        for (List<?> san : chain.get(0).getSubjectAlternativeNames()) {
          if (Integer.valueOf(6).equals(san.get(0))) {
            return (String) san.get(1);
          }
        }
        throw new CertificateException("no URI SAN");
      } catch (java.security.GeneralSecurityException e) {
        throw new CertificateException(e.getMessage(), e);
      }
    };
  }
}
