package dev.x0tta6bl4.node.routing;

import static dev.x0tta6bl4.node.routing.RouterNetwork.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.pqc.MeshCertificateAuthority;
import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.SignedEnvelope;
import dev.x0tta6bl4.pqc.SpiffeId;
import dev.x0tta6bl4.pqc.SvidValidator;
import java.nio.ByteBuffer;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real signer and verifier: SignedEnvelope + X.509-SVID chains from the mesh CA. */
class EnvelopeAdvertVerifierTest {
  private static final String DOMAIN = "t.test";
  private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
  private static MeshCertificateAuthority ca;
  private static final Map<String, NodeIdentity> IDENTITIES = new TreeMap<>();

  @BeforeAll
  static void issueIdentities() {
    ca = MeshCertificateAuthority.builder().trustDomain(DOMAIN).clock(CLOCK).init();
    for (String id : List.of("r0", "r1", "r2", "r3", "x", "m")) {
      IDENTITIES.put(id, ca.issueNodeIdentity(id));
    }
  }

  private static SvidValidator validator(List<X509Certificate> bundle) {
    return SvidValidator.builder(DOMAIN).trustBundle(() -> bundle).clock(CLOCK).build();
  }

  private static EnvelopeAdvertVerifier verifier() {
    return new EnvelopeAdvertVerifier(validator(ca.trustBundle()), CLOCK);
  }

  private static EnvelopeAdvertSigner signer(String id) {
    return new EnvelopeAdvertSigner(SpiffeId.forNode(DOMAIN, id), () -> IDENTITIES.get(id), CLOCK);
  }

  private static LinkStateAdvert advert(String origin, long seq) {
    return new LinkStateAdvert(origin, seq, 90_000, List.of(new LinkStateAdvert.Link("r1", 10)));
  }

  /** Flips the low bit of the last payload byte (the last link's cost) inside the envelope. */
  private static byte[] flipLastPayloadByte(byte[] wire) {
    byte[] copy = wire.clone();
    int envelopeLength = ByteBuffer.wrap(copy, 1, 4).getInt();
    int signatureBytes = 2 + 64;
    copy[5 + envelopeLength - signatureBytes - 1] ^= 0x01;
    return copy;
  }

  /** The wire form of {@code advert} signed by {@code signerId}'s key, naming {@code envelopeOrigin}, with {@code chainOf}'s chain. */
  private static byte[] forge(
      LinkStateAdvert advert, String envelopeOrigin, String signerId, String chainOf) {
    byte[] envelope =
        SignedEnvelope.sign(
                SpiffeId.forNode(DOMAIN, envelopeOrigin), advert.sequence(), CLOCK.millis(),
                advert.encode(), IDENTITIES.get(signerId).privateKey())
            .encode();
    return new SignedFrame(envelope, der(IDENTITIES.get(chainOf).certificateChain())).encode();
  }

  private static List<byte[]> der(List<X509Certificate> chain) {
    List<byte[]> out = new ArrayList<>();
    for (X509Certificate certificate : chain) {
      try {
        out.add(certificate.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }

  @Test
  void signedAdvert_parsesToTheSameAdvertAndVerifies() {
    LinkStateAdvert advert = advert("x", 42);
    byte[] wire = signer("x").sign(advert);
    EnvelopeAdvertVerifier verifier = verifier();

    LinkStateAdvert parsed = verifier.parse(wire);

    assertThat(parsed).isEqualTo(advert);
    assertThat(verifier.verify(wire, parsed)).isEmpty();
  }

  @Test
  void flippedPayloadByte_badSignatureWithAndWithoutCachedChain() {
    byte[] tampered = flipLastPayloadByte(signer("x").sign(advert("x", 43)));
    EnvelopeAdvertVerifier cold = verifier();
    EnvelopeAdvertVerifier warm = verifier();
    byte[] genuine = signer("x").sign(advert("x", 44));
    assertThat(warm.verify(genuine, warm.parse(genuine))).isEmpty();

    LinkStateAdvert claimed = cold.parse(tampered);

    assertThat(claimed.links().get(0).cost()).isEqualTo(11);
    assertThat(cold.verify(tampered, claimed)).get()
        .extracting(AdvertRejection::reason).isEqualTo(RejectReason.BAD_SIGNATURE);
    assertThat(warm.verify(tampered, claimed)).get()
        .extracting(AdvertRejection::reason).isEqualTo(RejectReason.BAD_SIGNATURE);
    assertThat(warm.pkixValidations()).isEqualTo(1);
  }

  @Test
  void reSignedByAnotherNode_originMismatchWhicheverOriginTheEnvelopeNames() {
    LinkStateAdvert claimsX = advert("x", 50);
    EnvelopeAdvertVerifier verifier = verifier();

    byte[] ownName = forge(claimsX, "m", "m", "m");
    byte[] stolenName = forge(claimsX, "x", "m", "m");

    assertThat(verifier.verify(ownName, verifier.parse(ownName))).get()
        .extracting(AdvertRejection::reason).isEqualTo(RejectReason.ORIGIN_MISMATCH);
    assertThat(verifier.verify(stolenName, verifier.parse(stolenName))).get()
        .extracting(AdvertRejection::reason).isEqualTo(RejectReason.ORIGIN_MISMATCH);
    // Once m's chain is cached, the cached path must refuse the stolen name as well.
    byte[] genuineM = signer("m").sign(advert("m", 1));
    assertThat(verifier.verify(genuineM, verifier.parse(genuineM))).isEmpty();
    assertThat(verifier.verify(stolenName, verifier.parse(stolenName))).get()
        .extracting(AdvertRejection::reason).isEqualTo(RejectReason.ORIGIN_MISMATCH);
  }

  @Test
  void keyOfAnotherNodeWithTheOriginsChain_badSignature() {
    byte[] wire = forge(advert("x", 51), "x", "m", "x");
    EnvelopeAdvertVerifier verifier = verifier();

    assertThat(verifier.verify(wire, verifier.parse(wire))).get()
        .extracting(AdvertRejection::reason).isEqualTo(RejectReason.BAD_SIGNATURE);
  }

  @Test
  void chainFromAnotherCa_untrustedOrigin() {
    MeshCertificateAuthority other =
        MeshCertificateAuthority.builder().trustDomain(DOMAIN).clock(CLOCK).init();
    NodeIdentity impostor = other.issueNodeIdentity("x");
    byte[] wire =
        new EnvelopeAdvertSigner(SpiffeId.forNode(DOMAIN, "x"), () -> impostor, CLOCK)
            .sign(advert("x", 52));
    EnvelopeAdvertVerifier verifier = verifier();

    assertThat(verifier.verify(wire, verifier.parse(wire))).get()
        .extracting(AdvertRejection::reason).isEqualTo(RejectReason.UNTRUSTED_ORIGIN);
  }

  @Test
  void pkixValidation_oncePerLeafUntilRevalidationInterval() {
    EnvelopeAdvertVerifier verifier =
        new EnvelopeAdvertVerifier(validator(ca.trustBundle()), CLOCK, 16, Duration.ofMinutes(10));
    for (long seq = 1; seq <= 5; seq++) {
      byte[] wire = signer("r0").sign(advert("r0", seq));
      assertThat(verifier.verify(wire, verifier.parse(wire))).isEmpty();
    }
    assertThat(verifier.pkixValidations()).isEqualTo(1);

    CLOCK.advance(Duration.ofMinutes(11));
    try {
      byte[] wire = signer("r0").sign(advert("r0", 6));
      assertThat(verifier.verify(wire, verifier.parse(wire))).isEmpty();
    } finally {
      CLOCK.advance(Duration.ofMinutes(-11));
    }
    assertThat(verifier.pkixValidations()).isEqualTo(2);
  }

  @Test
  void signer_advertOfAnotherOrigin_refused() {
    assertThatThrownBy(() -> signer("x").sign(advert("m", 1)))
        .isInstanceOf(RoutingException.class).hasMessageContaining("not this node x");
  }

  @Test
  void parse_mutatedSignedWire_onlyRoutingCodecException() {
    long seed = 9_001L;
    System.out.println("EnvelopeAdvertVerifierTest mutation seed=" + seed);
    Random random = new Random(seed);
    byte[] wire = signer("x").sign(advert("x", 60));
    EnvelopeAdvertVerifier verifier = verifier();
    for (int i = 0; i < 3_000; i++) {
      byte[] bytes = wire.clone();
      int changes = 1 + random.nextInt(3);
      for (int c = 0; c < changes; c++) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      if (random.nextInt(4) == 0) {
        bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
      }
      try {
        LinkStateAdvert parsed = verifier.parse(bytes);
        verifier.verify(bytes, parsed);
      } catch (RoutingCodecException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
    }
  }

  @Test
  void routersWithRealEnvelopes_convergeAndCatchATamperingRelay() {
    RouterNetwork net =
        new RouterNetwork(
            81L, RoutingSettings.defaults(), EnvelopeAdvertVerifierTest::signer, id -> verifier());
    System.out.println("EnvelopeAdvertVerifierTest network seed=81");
    for (String id : List.of("r0", "r1", "r2", "r3")) {
      net.addNode(id);
    }
    net.tamperer(
        (from, to, wire) ->
            from.equals("r2") && !verifier().parse(wire).origin().equals("r2")
                ? flipLastPayloadByte(wire)
                : wire);
    net.linkUp("r0", "r1", 10);
    net.linkUp("r1", "r3", 10);
    net.linkUp("r0", "r2", 10);
    net.linkUp("r2", "r3", 10);
    net.runFor(500 * MS);

    net.assertConverged();
    assertThat(net.router("r0").neighbourStats().get("r2").rejected(RejectReason.BAD_SIGNATURE))
        .isPositive();
    assertThat(net.router("r0").rejectedFrom("r1")).isZero();
  }

  /** A wall clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
