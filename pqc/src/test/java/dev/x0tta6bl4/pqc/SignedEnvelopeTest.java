package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.pqc.EnvelopeException.Reason;
import dev.x0tta6bl4.pqc.SignedEnvelope.Algorithm;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SignedEnvelopeTest {

  private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");
  private static final SpiffeId N1 = SpiffeId.forNode("mesh.test", "n1");
  private static final SpiffeId N2 = SpiffeId.forNode("mesh.test", "n2");
  private static final byte[] PAYLOAD = "link-state advert: n1 -> n2 cost 3".getBytes(StandardCharsets.UTF_8);

  // An ML-DSA-65 CA: the deployment in which hybrid envelopes are post-quantum (see javadoc).
  private static MeshCertificateAuthority ca;
  private static SvidValidator validator;
  private static KeyPair n1Ed;
  private static KeyPair n1Pq;
  private static List<X509Certificate> n1EdChain;
  private static List<X509Certificate> n1PqChain;
  private static List<X509Certificate> n2EdChain;

  @BeforeAll
  static void setUp() {
    MutableClock clock = new MutableClock(T0);
    ca =
        MeshCertificateAuthority.builder()
            .trustDomain("mesh.test")
            .algorithm(SignatureAlgorithm.ML_DSA_65)
            .clock(clock)
            .random(CertFixtures.seeded(31))
            .init();
    validator = SvidValidator.builder("mesh.test").trustBundle(ca::trustBundle).clock(clock).build();
    n1Ed = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.seeded(32));
    n1Pq = SignatureAlgorithm.ML_DSA_65.generateKeyPair(CertFixtures.seeded(33));
    n1EdChain = List.of(ca.issue(SvidRequest.forPublicKey("n1", n1Ed.getPublic()).build()));
    n1PqChain = List.of(ca.issue(SvidRequest.forPublicKey("n1", n1Pq.getPublic()).build()));
    KeyPair n2Ed = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.seeded(34));
    n2EdChain = List.of(ca.issue(SvidRequest.forPublicKey("n2", n2Ed.getPublic()).build()));
  }

  private static SignedEnvelope ed25519(long sequence) {
    return SignedEnvelope.sign(N1, sequence, T0.toEpochMilli(), PAYLOAD, n1Ed.getPrivate());
  }

  private static SignedEnvelope hybrid(long sequence) {
    return SignedEnvelope.signHybrid(
        N1, sequence, T0.toEpochMilli(), PAYLOAD, n1Ed.getPrivate(), n1Pq.getPrivate());
  }

  private static Reason reasonOf(ThrowingCallable call) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(thrown).isInstanceOf(EnvelopeException.class);
    return ((EnvelopeException) thrown).reason();
  }

  @Test
  void ed25519_roundTrip_decodesEqualAndVerifies() throws Exception {
    SignedEnvelope sent = ed25519(7);

    byte[] wire = sent.encode();
    SignedEnvelope received = SignedEnvelope.decode(wire);

    assertThat(received).isEqualTo(sent);
    assertThat(received.algorithm()).isEqualTo(Algorithm.ED25519);
    assertThat(received.origin()).isEqualTo(N1);
    assertThat(received.sequence()).isEqualTo(7);
    assertThat(received.timestampMillis()).isEqualTo(T0.toEpochMilli());
    assertThat(received.payload()).isEqualTo(PAYLOAD);
    assertThat(wire).hasSize(1 + 1 + 2 + N1.toUri().length() + 8 + 8 + 4 + PAYLOAD.length + 2 + 64);
    received.verify(validator, n1EdChain);
  }

  @Test
  void mlDsa65_roundTrip_verifies() throws Exception {
    SignedEnvelope sent = SignedEnvelope.sign(N1, 8, 1L, PAYLOAD, n1Pq.getPrivate());

    SignedEnvelope received = SignedEnvelope.decode(sent.encode());

    assertThat(received.algorithm()).isEqualTo(Algorithm.ML_DSA_65);
    assertThat(received).isEqualTo(sent);
    received.verify(validator, n1PqChain);
  }

  @Test
  void hybrid_roundTrip_verifiesBothSignatures() throws Exception {
    SignedEnvelope sent = hybrid(9);

    SignedEnvelope received = SignedEnvelope.decode(sent.encode());

    assertThat(received.algorithm()).isEqualTo(Algorithm.HYBRID_ED25519_ML_DSA_65);
    assertThat(received).isEqualTo(sent);
    received.verifyHybrid(validator, n1EdChain, n1PqChain);
  }

  @Test
  void encode_sequenceIsUnsigned64Bit_roundTrips() throws Exception {
    SignedEnvelope sent = ed25519(-1L);

    assertThat(SignedEnvelope.decode(sent.encode()).sequence()).isEqualTo(-1L);
    assertThat(sent.toString()).contains("sequence=18446744073709551615");
  }

  @Test
  void verify_chainsParsedByTheJdk_verify() throws Exception {
    java.security.cert.CertificateFactory jdk = java.security.cert.CertificateFactory.getInstance("X.509");
    List<X509Certificate> edChain = List.of(jdkParse(jdk, n1EdChain.get(0)));
    List<X509Certificate> pqChain = List.of(jdkParse(jdk, n1PqChain.get(0)));

    assertThat(edChain.get(0).getClass().getName()).startsWith("sun.");
    hybrid(3).verifyHybrid(validator, edChain, pqChain);
  }

  private static X509Certificate jdkParse(
      java.security.cert.CertificateFactory factory, X509Certificate certificate) throws Exception {
    return (X509Certificate)
        factory.generateCertificate(new java.io.ByteArrayInputStream(certificate.getEncoded()));
  }

  @Test
  void verify_tamperedPayload_badSignature() throws Exception {
    byte[] wire = ed25519(1).encode();
    int payloadStart = 1 + 1 + 2 + N1.toUri().length() + 8 + 8 + 4;
    wire[payloadStart] ^= 0x20;
    SignedEnvelope tampered = SignedEnvelope.decode(wire);

    assertThat(reasonOf(() -> tampered.verify(validator, n1EdChain))).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void verify_tamperedSequence_badSignature() throws Exception {
    byte[] wire = ed25519(1).encode();
    wire[1 + 1 + 2 + N1.toUri().length() + 7] = 2;
    SignedEnvelope tampered = SignedEnvelope.decode(wire);

    assertThat(tampered.sequence()).isEqualTo(2);
    assertThat(reasonOf(() -> tampered.verify(validator, n1EdChain))).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void verify_hybridWithTamperedMlDsaSignature_badSignature() throws Exception {
    byte[] wire = hybrid(1).encode();
    wire[wire.length - 10] ^= 0x01;
    SignedEnvelope tampered = SignedEnvelope.decode(wire);

    assertThatThrownBy(() -> tampered.verifyHybrid(validator, n1EdChain, n1PqChain))
        .isInstanceOf(EnvelopeException.class)
        .hasMessageContaining("ML_DSA_65 signature")
        .hasMessageContaining("does not verify");
  }

  @Test
  void verify_hybridStrippedToEd25519_badSignature() throws Exception {
    byte[] hybridWire = hybrid(1).encode();
    byte[] stripped = Arrays.copyOf(hybridWire, hybridWire.length - 2 - 3309);
    stripped[1] = (byte) Algorithm.ED25519.id();
    SignedEnvelope downgraded = SignedEnvelope.decode(stripped);

    assertThat(reasonOf(() -> downgraded.verify(validator, n1EdChain))).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void verify_originNotTheSigner_originMismatch() {
    // n1 signs but claims to be n2, and offers its own (valid) chain.
    SignedEnvelope forged = SignedEnvelope.sign(N2, 1, 1L, PAYLOAD, n1Ed.getPrivate());

    assertThatThrownBy(() -> forged.verify(validator, n1EdChain))
        .isInstanceOf(EnvelopeException.class)
        .hasMessageContaining("ORIGIN_MISMATCH")
        .hasMessageContaining("envelope origin spiffe://mesh.test/node/n2 differs");
  }

  @Test
  void verify_originsChainButOtherSigner_badSignature() {
    SignedEnvelope forged = SignedEnvelope.sign(N2, 1, 1L, PAYLOAD, n1Ed.getPrivate());

    assertThat(reasonOf(() -> forged.verify(validator, n2EdChain))).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void verify_chainFromAnotherCa_untrustedOrigin() {
    MeshCertificateAuthority other =
        MeshCertificateAuthority.builder()
            .trustDomain("mesh.test")
            .clock(new MutableClock(T0))
            .random(CertFixtures.seeded(35))
            .init();
    List<X509Certificate> foreignChain =
        List.of(other.issue(SvidRequest.forPublicKey("n1", n1Ed.getPublic()).build()));

    assertThat(reasonOf(() -> ed25519(1).verify(validator, foreignChain)))
        .isEqualTo(Reason.UNTRUSTED_ORIGIN);
  }

  @Test
  void verify_ed25519EnvelopeWithMlDsaChain_keyAlgorithmMismatch() {
    assertThat(reasonOf(() -> ed25519(1).verify(validator, n1PqChain)))
        .isEqualTo(Reason.KEY_ALGORITHM_MISMATCH);
    assertThat(reasonOf(() -> hybrid(1).verify(validator, n1EdChain)))
        .isEqualTo(Reason.KEY_ALGORITHM_MISMATCH);
    assertThat(reasonOf(() -> ed25519(1).verifyHybrid(validator, n1EdChain, n1PqChain)))
        .isEqualTo(Reason.KEY_ALGORITHM_MISMATCH);
  }

  @Test
  void replayedSequence_rejectedByReplayGuardAfterVerification() throws Exception {
    ReplayGuard guard = new ReplayGuard();
    byte[] wire = ed25519(42).encode();

    SignedEnvelope first = SignedEnvelope.decode(wire);
    first.verify(validator, n1EdChain);
    SignedEnvelope replay = SignedEnvelope.decode(wire);
    replay.verify(validator, n1EdChain);

    assertThat(guard.accept(first)).isEqualTo(ReplayGuard.Result.ACCEPTED);
    assertThat(guard.accept(replay)).isEqualTo(ReplayGuard.Result.DUPLICATE);
  }

  @Test
  void decode_unknownAlgorithmId_rejected() {
    byte[] wire = ed25519(1).encode();
    for (int id : new int[] {0, 4, 255}) {
      wire[1] = (byte) id;
      assertThatThrownBy(() -> SignedEnvelope.decode(wire))
          .isInstanceOf(EnvelopeException.class)
          .hasMessageContaining("UNKNOWN_ALGORITHM")
          .hasMessageContaining("algorithm id " + id);
    }
  }

  @Test
  void decode_badVersion_rejected() {
    byte[] wire = ed25519(1).encode();
    wire[0] = 2;

    assertThat(reasonOf(() -> SignedEnvelope.decode(wire))).isEqualTo(Reason.BAD_VERSION);
  }

  @Test
  void decode_everyProperPrefix_truncated() {
    byte[] wire = ed25519(1).encode();
    for (int length = 0; length < wire.length; length++) {
      byte[] prefix = Arrays.copyOf(wire, length);
      assertThat(reasonOf(() -> SignedEnvelope.decode(prefix)))
          .as("prefix of %d bytes", length)
          .isEqualTo(Reason.TRUNCATED);
    }
  }

  @Test
  void decode_trailingByte_rejected() {
    byte[] wire = ed25519(1).encode();
    byte[] longer = Arrays.copyOf(wire, wire.length + 1);

    assertThat(reasonOf(() -> SignedEnvelope.decode(longer))).isEqualTo(Reason.TRAILING_BYTES);
  }

  @Test
  void decode_hugePayloadLength_tooLargeWithoutAllocating() {
    byte[] wire = ed25519(1).encode();
    int lengthField = 1 + 1 + 2 + N1.toUri().length() + 8 + 8;
    ByteBuffer.wrap(wire).putInt(lengthField, 0xFFFFFFFF);

    assertThat(reasonOf(() -> SignedEnvelope.decode(wire))).isEqualTo(Reason.TOO_LARGE);
  }

  @Test
  void decode_originLengthBeyondCap_tooLarge() {
    byte[] wire = ed25519(1).encode();
    ByteBuffer.wrap(wire).putShort(2, (short) 4000);

    assertThat(reasonOf(() -> SignedEnvelope.decode(wire))).isEqualTo(Reason.TOO_LARGE);
  }

  @Test
  void decode_invalidOrigin_badOrigin() {
    byte[] wire = ed25519(1).encode();
    wire[4 + "spiffe://".length()] = 'M'; // upper-case trust domain

    assertThat(reasonOf(() -> SignedEnvelope.decode(wire))).isEqualTo(Reason.BAD_ORIGIN);
  }

  @Test
  void decode_wrongSignatureLength_rejected() {
    byte[] wire = ed25519(1).encode();
    ByteBuffer.wrap(wire).putShort(wire.length - 64 - 2, (short) 63);

    assertThat(reasonOf(() -> SignedEnvelope.decode(wire))).isEqualTo(Reason.BAD_SIGNATURE_LENGTH);
  }

  @Test
  void decode_inputBeyondMaximum_tooLarge() {
    byte[] huge = new byte[SignedEnvelope.MAX_ENCODED_BYTES + 1];

    assertThat(reasonOf(() -> SignedEnvelope.decode(huge))).isEqualTo(Reason.TOO_LARGE);
  }

  @Test
  void sign_unsupportedKey_refused() {
    KeyPair ec = SignatureAlgorithm.ECDSA_P256.generateKeyPair(CertFixtures.RANDOM);

    assertThatThrownBy(() -> SignedEnvelope.sign(N1, 1, 1L, PAYLOAD, ec.getPrivate()))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("expected Ed25519 or ML-DSA-65");
  }

  @Test
  void payload_isDefensivelyCopied() {
    byte[] payload = PAYLOAD.clone();
    SignedEnvelope envelope = SignedEnvelope.sign(N1, 1, 1L, payload, n1Ed.getPrivate());
    payload[0] ^= 1;
    envelope.payload()[0] ^= 1;

    assertThat(envelope.payload()).isEqualTo(PAYLOAD);
  }
}
