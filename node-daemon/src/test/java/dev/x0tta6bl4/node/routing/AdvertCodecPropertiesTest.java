package dev.x0tta6bl4.node.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Hostile-input and round-trip properties of the advert body codec and the signed wire frame:
 * whatever the bytes, decoding returns a value that re-encodes to them or throws {@link
 * RoutingCodecException}, nothing else. jqwik prints the seed of a failing run.
 */
class AdvertCodecPropertiesTest {

  @Property(tries = 3000)
  void decode_arbitraryBytes_onlyRoutingCodecException(@ForAll @Size(max = 600) byte[] bytes) {
    assertBodyDecodesOrRefuses(bytes);
  }

  @Property(tries = 3000)
  void decode_mutatedValidBody_onlyRoutingCodecException(
      @ForAll("adverts") LinkStateAdvert advert,
      @ForAll int position,
      @ForAll byte value,
      @ForAll int cut) {
    byte[] bytes = advert.encode();
    bytes[Math.floorMod(position, bytes.length)] = value;
    int length = cut % 3 == 0 ? Math.floorMod(cut, bytes.length + 1) : bytes.length;
    assertBodyDecodesOrRefuses(Arrays.copyOf(bytes, length));
  }

  @Property(tries = 1000)
  void encodeThenDecode_anyAdvert_roundTrips(@ForAll("adverts") LinkStateAdvert advert) {
    byte[] bytes = advert.encode();
    assertThat(LinkStateAdvert.decode(bytes)).isEqualTo(advert);
  }

  @Property(tries = 2000)
  void frameDecode_arbitraryBytes_onlyRoutingCodecException(@ForAll @Size(max = 600) byte[] bytes) {
    try {
      SignedFrame frame = SignedFrame.decode(bytes);
      assertThat(frame.encode()).isEqualTo(bytes);
    } catch (RoutingCodecException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 1000)
  void fakeVerifierParse_mutatedWire_onlyRoutingCodecException(
      @ForAll("adverts") LinkStateAdvert advert, @ForAll int position, @ForAll byte value) {
    byte[] wire = FakeAdvertAuth.signAs(advert.origin(), advert);
    wire[Math.floorMod(position, wire.length)] = value;
    try {
      FakeAdvertAuth.verifier().parse(wire);
    } catch (RoutingCodecException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<LinkStateAdvert> adverts() {
    Arbitrary<String> ids =
        Arbitraries.strings().withChars("abz09.-_").ofMinLength(1).ofMaxLength(12)
            .map(s -> "n" + s + "1");
    Arbitrary<List<String>> neighbours = ids.set().ofMaxSize(20).map(s -> new ArrayList<>(new TreeSet<>(s)));
    Arbitrary<Long> sequence = Arbitraries.longs();
    Arbitrary<Long> maxAge =
        Arbitraries.longs().between(LinkStateAdvert.MIN_MAX_AGE_MILLIS, LinkStateAdvert.MAX_MAX_AGE_MILLIS);
    Arbitrary<List<Long>> costs =
        Arbitraries.longs().between(1, LinkStateAdvert.MAX_COST).list().ofSize(20);
    return Combinators.combine(ids, sequence, maxAge, neighbours, costs)
        .as(
            (origin, seq, age, peers, c) -> {
              List<LinkStateAdvert.Link> links = new ArrayList<>();
              for (int i = 0; i < peers.size(); i++) {
                if (!peers.get(i).equals(origin)) {
                  links.add(new LinkStateAdvert.Link(peers.get(i), c.get(i)));
                }
              }
              return new LinkStateAdvert(origin, seq, age, links);
            });
  }

  private static void assertBodyDecodesOrRefuses(byte[] bytes) {
    try {
      LinkStateAdvert advert = LinkStateAdvert.decode(bytes);
      assertThat(advert.encode()).as("a decoded body re-encodes to its input").isEqualTo(bytes);
    } catch (RoutingCodecException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }
}
