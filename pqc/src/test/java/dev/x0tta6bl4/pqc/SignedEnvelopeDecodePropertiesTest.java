package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile-input properties of {@link SignedEnvelope#decode}: whatever the bytes, the decoder
 * returns an envelope or throws {@link EnvelopeException}, nothing else. jqwik reports the seed
 * of a failing run.
 */
class SignedEnvelopeDecodePropertiesTest {

  private static byte[] ed25519Wire;
  private static byte[] hybridWire;

  @BeforeContainer
  static void signSamples() {
    SpiffeId origin = SpiffeId.forNode("mesh.test", "n1");
    byte[] payload = "payload".getBytes(StandardCharsets.UTF_8);
    KeyPair ed = SignatureAlgorithm.ED25519.generateKeyPair(CertFixtures.seeded(51));
    KeyPair pq = SignatureAlgorithm.ML_DSA_65.generateKeyPair(CertFixtures.seeded(52));
    ed25519Wire = SignedEnvelope.sign(origin, 5, 99L, payload, ed.getPrivate()).encode();
    hybridWire =
        SignedEnvelope.signHybrid(origin, 5, 99L, payload, ed.getPrivate(), pq.getPrivate()).encode();
  }

  @Property(tries = 2000)
  void decode_arbitraryBytes_onlyEnvelopeException(@ForAll @Size(max = 4096) byte[] bytes) {
    assertDecodesOrRefuses(bytes);
  }

  @Property(tries = 2000)
  void decode_plausibleHeaderThenArbitraryBytes_onlyEnvelopeException(
      @ForAll("plausibleEnvelopes") byte[] bytes) {
    assertDecodesOrRefuses(bytes);
  }

  @Property(tries = 2000)
  void decode_mutatedValidEnvelope_onlyEnvelopeException(
      @ForAll boolean hybrid, @ForAll int position, @ForAll byte value, @ForAll int cut) {
    byte[] source = hybrid ? hybridWire : ed25519Wire;
    byte[] bytes = source.clone();
    bytes[Math.floorMod(position, bytes.length)] = value;
    int length = cut % 4 == 0 ? Math.floorMod(cut, bytes.length + 1) : bytes.length;
    assertDecodesOrRefuses(java.util.Arrays.copyOf(bytes, length));
  }

  @Provide
  Arbitrary<byte[]> plausibleEnvelopes() {
    Arbitrary<byte[]> tail = Arbitraries.bytes().array(byte[].class).ofMaxSize(4000);
    Arbitrary<Integer> algorithm = Arbitraries.integers().between(0, 4);
    Arbitrary<Integer> originLength = Arbitraries.integers().between(0, 70);
    return net.jqwik.api.Combinators.combine(algorithm, originLength, tail)
        .as(
            (alg, len, rest) -> {
              byte[] bytes = new byte[4 + rest.length];
              bytes[0] = 1;
              bytes[1] = alg.byteValue();
              bytes[2] = 0;
              bytes[3] = len.byteValue();
              System.arraycopy(rest, 0, bytes, 4, rest.length);
              return bytes;
            });
  }

  private static void assertDecodesOrRefuses(byte[] bytes) {
    try {
      SignedEnvelope envelope = SignedEnvelope.decode(bytes);
      assertThat(envelope.encode()).as("a decoded envelope re-encodes to its input").isEqualTo(bytes);
    } catch (EnvelopeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }
}
