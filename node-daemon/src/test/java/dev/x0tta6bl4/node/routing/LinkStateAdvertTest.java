package dev.x0tta6bl4.node.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkStateAdvertTest {

  private static LinkStateAdvert sample() {
    return new LinkStateAdvert(
        "node-a",
        LinkStateAdvert.sequenceBase(1_700_000_000_000L) + 7,
        90_000,
        List.of(new LinkStateAdvert.Link("node-c", 300), new LinkStateAdvert.Link("node-b", 100)));
  }

  @Test
  void constructor_unsortedLinks_sortsThemByNeighbour() {
    assertThat(sample().links()).extracting(LinkStateAdvert.Link::neighbour)
        .containsExactly("node-b", "node-c");
  }

  @Test
  void encode_thenDecode_givesEqualAdvertAndSameBytes() {
    LinkStateAdvert advert = sample();
    byte[] bytes = advert.encode();

    LinkStateAdvert decoded = LinkStateAdvert.decode(bytes);

    assertThat(decoded).isEqualTo(advert);
    assertThat(decoded.encode()).isEqualTo(bytes);
  }

  @Test
  void encode_maximalAdvert_fitsTheDeclaredCap() {
    String longId = "n".repeat(LinkStateAdvert.MAX_NODE_ID_LENGTH);
    List<LinkStateAdvert.Link> links = new java.util.ArrayList<>();
    for (int i = 0; i < LinkStateAdvert.MAX_LINKS; i++) {
      String id = String.format("%03d", i) + "x".repeat(LinkStateAdvert.MAX_NODE_ID_LENGTH - 3);
      links.add(new LinkStateAdvert.Link(id, LinkStateAdvert.MAX_COST));
    }
    LinkStateAdvert advert = new LinkStateAdvert(longId, -1L, LinkStateAdvert.MAX_MAX_AGE_MILLIS, links);

    byte[] bytes = advert.encode();

    assertThat(bytes).hasSize(LinkStateAdvert.MAX_ENCODED_BYTES);
    assertThat(LinkStateAdvert.decode(bytes)).isEqualTo(advert);
  }

  @Test
  void costTo_listedAndUnlistedNeighbours_costOrMinusOne() {
    assertThat(sample().costTo("node-c")).isEqualTo(300);
    assertThat(sample().costTo("node-b")).isEqualTo(100);
    assertThat(sample().costTo("node-z")).isEqualTo(-1);
  }

  @Test
  void constructor_invalidValues_throwNamingTheValue() {
    assertThatThrownBy(() -> new LinkStateAdvert("Bad", 1, 90_000, List.of()))
        .isInstanceOf(RoutingException.class).hasMessageContaining("'Bad'");
    assertThatThrownBy(() -> new LinkStateAdvert("a", 1, 10, List.of()))
        .hasMessageContaining("max-age 10");
    assertThatThrownBy(
            () -> new LinkStateAdvert("a", 1, 90_000, List.of(new LinkStateAdvert.Link("a", 1))))
        .hasMessageContaining("itself");
    assertThatThrownBy(
            () -> new LinkStateAdvert("a", 1, 90_000,
                List.of(new LinkStateAdvert.Link("b", 1), new LinkStateAdvert.Link("b", 2))))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> new LinkStateAdvert.Link("b", 0)).hasMessageContaining("0 is outside");
    assertThatThrownBy(() -> new LinkStateAdvert.Link("b", 1L << 32))
        .hasMessageContaining("is outside");
  }

  @Test
  void decode_badVersion_refused() {
    byte[] bytes = sample().encode();
    bytes[0] = 2;
    assertThatThrownBy(() -> LinkStateAdvert.decode(bytes))
        .isInstanceOf(RoutingCodecException.class).hasMessageContaining("version 2");
  }

  @Test
  void decode_trailingByte_refused() {
    byte[] bytes = Arrays.copyOf(sample().encode(), sample().encode().length + 1);
    assertThatThrownBy(() -> LinkStateAdvert.decode(bytes))
        .isInstanceOf(RoutingCodecException.class).hasMessageContaining("follow");
  }

  @Test
  void decode_everyTruncation_refused() {
    byte[] bytes = sample().encode();
    for (int length = 0; length < bytes.length; length++) {
      byte[] cut = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> LinkStateAdvert.decode(cut))
          .as("truncated to %d", length).isInstanceOf(RoutingCodecException.class);
    }
  }

  @Test
  void decode_linksOutOfOrder_refused() {
    byte[] bytes = body("a", 2, new String[] {"c", "b"}, new long[] {1, 1});
    assertThatThrownBy(() -> LinkStateAdvert.decode(bytes))
        .isInstanceOf(RoutingCodecException.class).hasMessageContaining("ascending");
  }

  @Test
  void decode_zeroCostOrSelfLinkOrBadId_refused() {
    assertThatThrownBy(() -> LinkStateAdvert.decode(body("a", 1, new String[] {"b"}, new long[] {0})))
        .isInstanceOf(RoutingCodecException.class).hasMessageContaining("cost");
    assertThatThrownBy(() -> LinkStateAdvert.decode(body("a", 1, new String[] {"a"}, new long[] {5})))
        .isInstanceOf(RoutingCodecException.class).hasMessageContaining("itself");
    assertThatThrownBy(() -> LinkStateAdvert.decode(body("a", 1, new String[] {"B"}, new long[] {5})))
        .isInstanceOf(RoutingCodecException.class).hasMessageContaining("not a valid node id");
  }

  @Test
  void decode_linkCountAboveCap_refused() {
    ByteBuffer out = ByteBuffer.allocate(1 + 2 + 8 + 4 + 2);
    out.put((byte) 1).put((byte) 1).put((byte) 'a').putLong(1).putInt(90_000).putShort((short) 257);
    assertThatThrownBy(() -> LinkStateAdvert.decode(out.array()))
        .isInstanceOf(RoutingCodecException.class).hasMessageContaining("257");
  }

  @Test
  void sequenceBase_laterBoot_isAboveManyAdvertsOfEarlierBoot() {
    long first = LinkStateAdvert.sequenceBase(1_700_000_000_000L);
    long afterRestart = LinkStateAdvert.sequenceBase(1_700_000_000_001L);

    assertThat(afterRestart - first).isEqualTo(1L << 20);
    assertThat(Long.compareUnsigned(afterRestart, first + (1L << 20) - 1)).isPositive();
    assertThatThrownBy(() -> LinkStateAdvert.sequenceBase(-1)).isInstanceOf(RoutingException.class);
  }

  private static byte[] body(String origin, int count, String[] ids, long[] costs) {
    ByteBuffer out = ByteBuffer.allocate(256);
    out.put((byte) 1).put((byte) origin.length()).put(origin.getBytes());
    out.putLong(9).putInt(90_000).putShort((short) count);
    for (int i = 0; i < ids.length; i++) {
      out.put((byte) ids[i].length()).put(ids[i].getBytes()).putInt((int) costs[i]);
    }
    return Arrays.copyOf(out.array(), out.position());
  }
}
