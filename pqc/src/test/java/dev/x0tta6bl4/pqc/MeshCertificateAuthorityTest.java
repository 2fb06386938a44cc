package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshCertificateAuthorityTest {

  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private final MutableClock clock = new MutableClock(T0);

  @TempDir Path dir;

  private MeshCertificateAuthority ca(SignatureAlgorithm algorithm) {
    return MeshCertificateAuthority.builder()
        .trustDomain("mesh.test")
        .algorithm(algorithm)
        .svidLifetime(Duration.ofHours(6))
        .clock(clock)
        .random(CertFixtures.seeded(algorithm.ordinal() + 100))
        .init();
  }

  private SvidValidator validator(MeshCertificateAuthority ca) {
    return SvidValidator.builder("mesh.test").trustBundle(ca::trustBundle).clock(clock).build();
  }

  @Test
  void init_ed25519_selfSignedCaWithSpiffeTrustDomainSan() throws Exception {
    X509Certificate cert = ca(SignatureAlgorithm.ED25519).caCertificate();

    assertThat(cert.getBasicConstraints()).isEqualTo(0);
    assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(cert.getKeyUsage()[6]).as("cRLSign").isTrue();
    assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isFalse();
    assertThat(cert.getCriticalExtensionOIDs()).contains("2.5.29.15", "2.5.29.19");
    assertThat(SvidValidator.uriSans(cert)).containsExactly("spiffe://mesh.test");
    assertThat(cert.getExtensionValue("2.5.29.14")).as("subject key identifier").isNotNull();
    assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("Ed25519");
    cert.verify(cert.getPublicKey(), CryptoProviders.install().bouncyCastle());
  }

  @Test
  void issue_fromPublicKey_svidWithRequiredExtensions() throws Exception {
    MeshCertificateAuthority ca = ca(SignatureAlgorithm.ED25519);
    KeyPair node = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.RANDOM);

    X509Certificate leaf =
        ca.issue(
            SvidRequest.forPublicKey("n1", node.getPublic())
                .dnsName("n1.mesh.test")
                .ipAddress(InetAddress.getByName("127.0.0.1"))
                .build());

    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getKeyUsage()[0]).isTrue();
    assertThat(leaf.getKeyUsage()[5]).isFalse();
    assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.15");
    assertThat(leaf.getExtendedKeyUsage())
        .containsExactlyInAnyOrder(SvidValidator.SERVER_AUTH, SvidValidator.CLIENT_AUTH);
    assertThat(SvidValidator.uriSans(leaf)).containsExactly("spiffe://mesh.test/node/n1");
    Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
    assertThat(sans).contains(List.of(2, "n1.mesh.test"), List.of(7, "127.0.0.1"));
    assertThat(leaf.getExtensionValue("2.5.29.35")).as("authority key identifier").isNotNull();
    assertThat(leaf.getExtensionValue("2.5.29.14")).as("subject key identifier").isNotNull();
    assertThat(leaf.getNotBefore().toInstant()).isEqualTo(T0);
    assertThat(leaf.getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofHours(6)));
    assertThat(leaf.getSerialNumber().signum()).isPositive();
    assertThat(leaf.getPublicKey().getEncoded()).isEqualTo(node.getPublic().getEncoded());
    assertThat(validator(ca).verify(List.of(leaf))).isEqualTo("spiffe://mesh.test/node/n1");
  }

  @Test
  void issue_twice_distinctRandomSerials() {
    MeshCertificateAuthority ca = ca(SignatureAlgorithm.ED25519);
    KeyPair node = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.RANDOM);
    SvidRequest request = SvidRequest.forPublicKey("n1", node.getPublic()).build();

    assertThat(ca.issue(request).getSerialNumber()).isNotEqualTo(ca.issue(request).getSerialNumber());
  }

  @Test
  void issue_lifetimeBeyondCa_clampedToCaNotAfter() {
    MeshCertificateAuthority ca = ca(SignatureAlgorithm.ED25519);
    KeyPair node = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.RANDOM);

    X509Certificate leaf =
        ca.issue(SvidRequest.forPublicKey("n1", node.getPublic()).lifetime(Duration.ofDays(5000)).build());

    assertThat(leaf.getNotAfter()).isEqualTo(ca.caCertificate().getNotAfter());
  }

  @Test
  void issue_fromCsr_certifiesTheCsrKey() throws Exception {
    MeshCertificateAuthority ca = ca(SignatureAlgorithm.ED25519);
    KeyPair node = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.RANDOM);
    byte[] csr = SvidRequest.createCsr("n2", node);

    X509Certificate leaf = ca.issue(SvidRequest.fromCsr("n2", csr).build());

    assertThat(leaf.getPublicKey().getEncoded()).isEqualTo(node.getPublic().getEncoded());
    assertThat(validator(ca).verify(List.of(leaf))).isEqualTo("spiffe://mesh.test/node/n2");
  }

  @Test
  void issue_fromPemCsr_accepted() throws Exception {
    MeshCertificateAuthority ca = ca(SignatureAlgorithm.ED25519);
    KeyPair node = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.RANDOM);
    String pem =
        "-----BEGIN CERTIFICATE REQUEST-----\n"
            + java.util.Base64.getMimeEncoder().encodeToString(SvidRequest.createCsr("n3", node))
            + "\n-----END CERTIFICATE REQUEST-----\n";

    X509Certificate leaf = ca.issue(SvidRequest.fromCsr("n3", pem.getBytes()).build());

    assertThat(SvidValidator.uriSans(leaf)).containsExactly("spiffe://mesh.test/node/n3");
  }

  @Test
  void fromCsr_badSignature_refused() {
    KeyPair node = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.RANDOM);
    byte[] csr = SvidRequest.createCsr("n2", node);
    csr[csr.length - 5] ^= 0x01; // inside the signature BIT STRING at the end

    assertThatThrownBy(() -> SvidRequest.fromCsr("n2", csr))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("CSR for node 'n2' has a signature that does not verify");
  }

  @Test
  void fromCsr_garbage_refused() {
    assertThatThrownBy(() -> SvidRequest.fromCsr("n2", new byte[] {1, 2, 3}))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("CSR is not a valid PKCS#10 request");
  }

  @Test
  void mlDsa65_caAndCsrLeaf_validate() throws Exception {
    MeshCertificateAuthority ca = ca(SignatureAlgorithm.ML_DSA_65);
    KeyPair node = SignatureAlgorithm.ML_DSA_65.generateKeyPair(CertFixtures.RANDOM);

    X509Certificate leaf = ca.issue(SvidRequest.fromCsr("pq", SvidRequest.createCsr("pq", node)).build());

    assertThat(ca.caCertificate().getPublicKey().getAlgorithm()).isEqualTo("ML-DSA-65");
    assertThat(validator(ca).verify(List.of(leaf))).isEqualTo("spiffe://mesh.test/node/pq");
  }

  @Test
  void issueNodeIdentity_keyMatchesLeafAndBundleIsCa() throws Exception {
    MeshCertificateAuthority ca = ca(SignatureAlgorithm.ED25519);

    NodeIdentity identity = ca.issueNodeIdentity("n4");

    assertThat(Keys.matches(identity.privateKey(), identity.leaf().getPublicKey())).isTrue();
    assertThat(identity.trustBundle()).containsExactly(ca.caCertificate());
    assertThat(validator(ca).verify(identity.certificateChain())).endsWith("/node/n4");
  }

  @Test
  void issueNodeIdentity_keyNotMatchingRequest_refused() {
    MeshCertificateAuthority ca = ca(SignatureAlgorithm.ED25519);
    KeyPair one = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.RANDOM);
    KeyPair two = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.RANDOM);

    assertThatThrownBy(
            () -> ca.issueNodeIdentity(one, SvidRequest.forPublicKey("n", two.getPublic()).build()))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("does not match the request's public key");
  }

  @Test
  void saveAndLoad_sameCaIssuesValidSvids() throws Exception {
    MeshCertificateAuthority ca = ca(SignatureAlgorithm.ED25519);
    ca.save(dir);

    MeshCertificateAuthority loaded = MeshCertificateAuthority.builder().clock(clock).load(dir);
    KeyPair node = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.RANDOM);
    X509Certificate leaf = loaded.issue(SvidRequest.forPublicKey("n5", node.getPublic()).build());

    assertThat(loaded.trustDomain()).isEqualTo("mesh.test");
    assertThat(loaded.algorithm()).isEqualTo(SignatureAlgorithm.ED25519);
    assertThat(loaded.caCertificate()).isEqualTo(ca.caCertificate());
    assertThat(validator(ca).verify(List.of(leaf))).endsWith("/node/n5");
  }

  @Test
  void load_otherTrustDomainExpected_refused() {
    ca(SignatureAlgorithm.ED25519).save(dir);

    assertThatThrownBy(() -> MeshCertificateAuthority.builder().trustDomain("other.test").load(dir))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("is for trust domain 'mesh.test'; expected 'other.test'");
  }

  @Test
  void toString_doesNotRevealKey() {
    MeshCertificateAuthority ca = ca(SignatureAlgorithm.ED25519);
    String encodedKeyHex = java.util.HexFormat.of().formatHex(ca.caKey().getEncoded());

    assertThat(ca.toString()).contains("mesh.test").doesNotContain(encodedKeyHex.substring(32));
  }

  @Test
  void init_withoutTrustDomain_refused() {
    assertThatThrownBy(() -> MeshCertificateAuthority.builder().init())
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("trustDomain is required");
  }
}
