package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SvidValidatorTest {

  private static final String TD = "mesh.test";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private long caSeed;
  private MutableClock clock;
  private MeshCertificateAuthority ca;
  private SvidValidator validator;

  @BeforeEach
  void setUp() {
    clock = new MutableClock(T0);
    ca = newCa(TD, SignatureAlgorithm.ED25519);
    validator = validatorFor(ca.trustBundle()).build();
  }

  private MeshCertificateAuthority newCa(String trustDomain, SignatureAlgorithm algorithm) {
    return MeshCertificateAuthority.builder()
        .trustDomain(trustDomain)
        .algorithm(algorithm)
        .clock(clock)
        .random(CertFixtures.seeded(++caSeed))
        .init();
  }

  private SvidValidator.Builder validatorFor(List<X509Certificate> bundle) {
    return SvidValidator.builder(TD).trustBundle(() -> bundle).clock(clock);
  }

  private X509Certificate issue(MeshCertificateAuthority authority, String nodeId) {
    KeyPair keys = authority.algorithm().generateKeyPair(CertFixtures.RANDOM);
    return authority.issue(SvidRequest.forPublicKey(nodeId, keys.getPublic()).build());
  }

  private CertFixtures fixture() {
    return CertFixtures.leafOf(ca, ca.caKey(), CertFixtures.ed25519().getPublic(), clock.instant());
  }

  private String refusal(List<X509Certificate> chain) {
    try {
      validator.verify(chain);
    } catch (CertificateException e) {
      return e.getMessage();
    }
    throw new AssertionError("chain was accepted: " + chain.get(0).getSubjectX500Principal());
  }

  @Test
  void verify_svidFromTrustedCa_returnsSpiffeId() throws Exception {
    X509Certificate leaf = issue(ca, "a1");

    assertThat(validator.verify(List.of(leaf))).isEqualTo("spiffe://mesh.test/node/a1");
    assertThat(validator.verifySvid(List.of(leaf)).nodeId()).contains("a1");
  }

  @Test
  void verify_chainWithAppendedRoot_accepted() throws Exception {
    X509Certificate leaf = issue(ca, "a1");

    assertThat(validator.verify(List.of(leaf, ca.caCertificate()))).endsWith("/node/a1");
  }

  @Test
  void verify_certificateFromAnotherCa_refusedByPathValidation() {
    MeshCertificateAuthority other = newCa(TD, SignatureAlgorithm.ED25519);
    X509Certificate leaf = issue(other, "a1");

    assertThat(refusal(List.of(leaf)))
        .contains("does not validate against the trust bundle of 'mesh.test'")
        .contains("spiffe://mesh.test/node/a1");
  }

  @Test
  void verify_caCertificateAsLeaf_refused() {
    assertThat(refusal(List.of(ca.caCertificate())))
        .contains("is a CA certificate")
        .contains("must not be a CA");
  }

  @Test
  void verify_twoUriSans_refused() {
    X509Certificate leaf =
        fixture().uri("spiffe://mesh.test/node/a").uri("spiffe://mesh.test/node/b").build();

    assertThat(refusal(List.of(leaf)))
        .contains("has 2 URI SANs; an X.509-SVID has exactly one");
  }

  @Test
  void verify_noUriSan_refused() {
    assertThat(refusal(List.of(fixture().build()))).contains("has 0 URI SANs");
  }

  @Test
  void verify_uriSanNotSpiffe_refused() {
    X509Certificate leaf = fixture().uri("https://mesh.test/node/a").build();

    assertThat(refusal(List.of(leaf)))
        .contains("URI SAN 'https://mesh.test/node/a' is not a valid SPIFFE ID");
  }

  @Test
  void verify_wrongTrustDomain_refused() {
    X509Certificate leaf = fixture().uri("spiffe://other.test/node/a").build();

    assertThat(refusal(List.of(leaf)))
        .contains("is in trust domain 'other.test'; expected 'mesh.test'");
  }

  @Test
  void verify_expiredBeyondSkew_refused() {
    X509Certificate leaf = issue(ca, "a1");
    clock.set(leaf.getNotAfter().toInstant().plus(Duration.ofMinutes(2)));

    assertThat(refusal(List.of(leaf))).contains("has expired: notAfter");
  }

  @Test
  void verify_expiredWithinSkew_accepted() throws Exception {
    X509Certificate leaf = issue(ca, "a1");
    clock.set(leaf.getNotAfter().toInstant().plusSeconds(30));

    assertThat(validator.verify(List.of(leaf))).endsWith("/node/a1");
  }

  @Test
  void verify_notYetValidBeyondSkew_refused() {
    X509Certificate leaf =
        fixture().uri("spiffe://mesh.test/node/a").validity(T0.plusSeconds(600), T0.plusSeconds(7200)).build();

    assertThat(refusal(List.of(leaf))).contains("is not yet valid: notBefore");
  }

  @Test
  void verify_notYetValidWithinSkew_accepted() throws Exception {
    X509Certificate leaf =
        fixture().uri("spiffe://mesh.test/node/a").validity(T0.plusSeconds(30), T0.plusSeconds(7200)).build();

    assertThat(validator.verify(List.of(leaf))).isEqualTo("spiffe://mesh.test/node/a");
  }

  @Test
  void verify_zeroSkewAndNotYetValid_refused() {
    validator = validatorFor(ca.trustBundle()).clockSkew(Duration.ZERO).build();
    X509Certificate leaf =
        fixture().uri("spiffe://mesh.test/node/a").validity(T0.plusSeconds(30), T0.plusSeconds(7200)).build();

    assertThat(refusal(List.of(leaf))).contains("is not yet valid");
  }

  @Test
  void verify_missingKeyUsage_refused() {
    X509Certificate leaf = fixture().uri("spiffe://mesh.test/node/a").keyUsage(null, true).build();

    assertThat(refusal(List.of(leaf))).contains("has no key usage extension");
  }

  @Test
  void verify_nonCriticalKeyUsage_refused() {
    X509Certificate leaf =
        fixture().uri("spiffe://mesh.test/node/a").keyUsage(KeyUsage.digitalSignature, false).build();

    assertThat(refusal(List.of(leaf))).contains("non-critical key usage");
  }

  @Test
  void verify_keyUsageWithoutDigitalSignature_refused() {
    X509Certificate leaf =
        fixture().uri("spiffe://mesh.test/node/a").keyUsage(KeyUsage.keyEncipherment, true).build();

    assertThat(refusal(List.of(leaf))).contains("lacks digitalSignature");
  }

  @Test
  void verify_keyCertSignOnLeaf_refused() {
    X509Certificate leaf =
        fixture()
            .uri("spiffe://mesh.test/node/a")
            .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign, true)
            .build();

    assertThat(refusal(List.of(leaf))).contains("key usage has keyCertSign");
  }

  @Test
  void verify_crlSignOnLeaf_refused() {
    X509Certificate leaf =
        fixture()
            .uri("spiffe://mesh.test/node/a")
            .keyUsage(KeyUsage.digitalSignature | KeyUsage.cRLSign, true)
            .build();

    assertThat(refusal(List.of(leaf))).contains("key usage has cRLSign");
  }

  @Test
  void verify_ekuWithoutClientAuth_refused() {
    X509Certificate leaf =
        fixture().uri("spiffe://mesh.test/node/a").eku(List.of(KeyPurposeId.id_kp_serverAuth)).build();

    assertThat(refusal(List.of(leaf))).contains("lacks clientAuth (1.3.6.1.5.5.7.3.2)");
  }

  @Test
  void verify_ekuWithoutServerAuth_refused() {
    X509Certificate leaf =
        fixture().uri("spiffe://mesh.test/node/a").eku(List.of(KeyPurposeId.id_kp_clientAuth)).build();

    assertThat(refusal(List.of(leaf))).contains("lacks serverAuth");
  }

  @Test
  void verify_noEku_accepted() throws Exception {
    X509Certificate leaf = fixture().uri("spiffe://mesh.test/node/a").eku(null).build();

    assertThat(validator.verify(List.of(leaf))).isEqualTo("spiffe://mesh.test/node/a");
  }

  @Test
  void verify_idNotOnAllowList_refused() throws Exception {
    validator =
        validatorFor(ca.trustBundle()).allowedIds(Set.of(SpiffeId.forNode(TD, "a1"))).build();

    assertThat(validator.verify(List.of(issue(ca, "a1")))).endsWith("/node/a1");
    assertThat(refusal(List.of(issue(ca, "b2"))))
        .contains("SPIFFE ID spiffe://mesh.test/node/b2 is not on the allow-list");
  }

  @Test
  void verify_trustBundleRotated_newBundleUsedOnNextCall() throws Exception {
    MeshCertificateAuthority next = newCa(TD, SignatureAlgorithm.ED25519);
    AtomicReference<List<X509Certificate>> bundle = new AtomicReference<>(ca.trustBundle());
    validator = SvidValidator.builder(TD).trustBundle(bundle::get).clock(clock).build();
    X509Certificate oldLeaf = issue(ca, "a1");
    X509Certificate newLeaf = issue(next, "a1");

    assertThat(validator.verify(List.of(oldLeaf))).endsWith("/node/a1");
    bundle.set(next.trustBundle());

    assertThat(refusal(List.of(oldLeaf))).contains("does not validate against the trust bundle");
    assertThat(validator.verify(List.of(newLeaf))).endsWith("/node/a1");
  }

  @Test
  void verify_mlDsa65CaAndLeaf_accepted() throws Exception {
    MeshCertificateAuthority pq = newCa(TD, SignatureAlgorithm.ML_DSA_65);
    validator = validatorFor(pq.trustBundle()).build();
    X509Certificate leaf = issue(pq, "pq1");

    assertThat(leaf.getSigAlgName()).containsIgnoringCase("ML-DSA");
    assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("ML-DSA-65");
    assertThat(validator.verify(List.of(leaf))).isEqualTo("spiffe://mesh.test/node/pq1");
  }

  @Test
  void verify_ecdsaCaAndLeaf_accepted() throws Exception {
    MeshCertificateAuthority ec = newCa(TD, SignatureAlgorithm.ECDSA_P256);
    validator = validatorFor(ec.trustBundle()).build();

    assertThat(validator.verify(List.of(issue(ec, "raft1")))).endsWith("/node/raft1");
  }

  @Test
  void verify_emptyChain_refused() {
    assertThatThrownBy(() -> validator.verify(List.of()))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("chain is empty");
  }

  @Test
  void build_withoutTrustBundle_throwsNamingIt() {
    assertThatThrownBy(() -> SvidValidator.builder(TD).build())
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("trustBundle is required");
  }
}
