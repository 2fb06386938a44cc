package dev.x0tta6bl4.pqc;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds deliberately malformed or unusual certificates for validator tests, bypassing the
 * mesh CA's rules. Each setter changes one property from a well-formed SVID.
 */
final class CertFixtures {

  static final SecureRandom RANDOM = seeded(42);

  private X500Name issuer = new X500Name("CN=fixture issuer");
  private PrivateKey issuerKey;
  private String signatureName = "Ed25519";
  private X500Name subject = new X500Name("CN=fixture leaf");
  private PublicKey subjectKey;
  private final List<String> uris = new ArrayList<>();
  private boolean ca;
  private Integer keyUsage = KeyUsage.digitalSignature;
  private boolean keyUsageCritical = true;
  private List<KeyPurposeId> eku = List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
  private Instant notBefore;
  private Instant notAfter;

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      return random;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** A leaf signed by {@code ca}, with {@code ca}'s issuer name and key. */
  static CertFixtures leafOf(MeshCertificateAuthority ca, PrivateKey caKey, PublicKey leafKey, Instant now) {
    CertFixtures f = new CertFixtures();
    f.issuer = X500Name.getInstance(ca.caCertificate().getSubjectX500Principal().getEncoded());
    f.issuerKey = caKey;
    f.signatureName = ca.algorithm().jcaSignatureName();
    f.subjectKey = leafKey;
    f.notBefore = now.minusSeconds(60);
    f.notAfter = now.plusSeconds(3600);
    return f;
  }

  CertFixtures uri(String uri) {
    uris.add(uri);
    return this;
  }

  CertFixtures ca(boolean value) {
    ca = value;
    return this;
  }

  CertFixtures keyUsage(Integer bits, boolean critical) {
    keyUsage = bits;
    keyUsageCritical = critical;
    return this;
  }

  CertFixtures eku(List<KeyPurposeId> value) {
    eku = value;
    return this;
  }

  CertFixtures validity(Instant from, Instant to) {
    notBefore = from;
    notAfter = to;
    return this;
  }

  X509Certificate build() {
    try {
      X509v3CertificateBuilder b =
          new X509v3CertificateBuilder(
              issuer,
              new BigInteger(64, RANDOM).add(BigInteger.ONE),
              Date.from(notBefore),
              Date.from(notAfter),
              subject,
              SubjectPublicKeyInfo.getInstance(subjectKey.getEncoded()));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (keyUsage != null) {
        b.addExtension(Extension.keyUsage, keyUsageCritical, new KeyUsage(keyUsage));
      }
      if (eku != null) {
        b.addExtension(
            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku.toArray(new KeyPurposeId[0])));
      }
      if (!uris.isEmpty()) {
        GeneralName[] names = new GeneralName[uris.size()];
        for (int i = 0; i < names.length; i++) {
          names[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uris.get(i));
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      return new JcaX509CertificateConverter()
          .setProvider(CryptoProviders.install().bouncyCastle())
          .getCertificate(
              b.build(
                  new JcaContentSignerBuilder(signatureName)
                      .setProvider(CryptoProviders.install().bouncyCastle())
                      .build(issuerKey)));
    } catch (Exception e) {
      throw new AssertionError("fixture certificate could not be built", e);
    }
  }

  static KeyPair ed25519() {
    return SignatureAlgorithm.ED25519.generateKeyPair(RANDOM);
  }
}
