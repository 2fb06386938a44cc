package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.node.transport.FrameDecodingException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bounded readers later frame types will use (byte arrays, list counts). */
class FrameReaderTest {
  private final FrameReader reader = new FrameReader();
  private ByteBuf buf;

  @AfterEach
  void release() {
    buf.release();
  }

  @Test
  void bytes_withinFrameAndCap_readsThem() {
    begin("00000003" + "0a0b0c");
    assertThat(reader.bytes("payload", 10)).containsExactly(0x0a, 0x0b, 0x0c);
    assertThat(reader.remaining()).isZero();
  }

  @Test
  void bytes_lengthBeyondTheFrame_failsAsTruncatedBeforeAllocating() {
    begin("7fffffff" + "0a0b");
    assertThatThrownBy(() -> reader.bytes("payload", Integer.MAX_VALUE))
        .isInstanceOfSatisfying(FrameDecodingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_FRAME))
        .hasMessageContaining("payload needs 2147483647 bytes but 2 remain");
  }

  @Test
  void bytes_lengthAboveCap_failsAsFieldTooLong() {
    begin("ffffffff");
    assertThatThrownBy(() -> reader.bytes("payload", 100))
        .isInstanceOfSatisfying(FrameDecodingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.FIELD_TOO_LONG))
        .hasMessageContaining("payload is 4294967295 bytes; at most 100");
  }

  @Test
  void count_moreElementsThanCanFit_failsAsTruncated() {
    begin("0005" + "00".repeat(9));
    assertThatThrownBy(() -> reader.count("links", 2))
        .isInstanceOfSatisfying(FrameDecodingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_FRAME))
        .hasMessageContaining("links count 5 needs at least 10 bytes but 9 remain");
  }

  @Test
  void count_elementsThatFit_isReturned() {
    begin("0005" + "00".repeat(10));
    assertThat(reader.count("links", 2)).isEqualTo(5);
  }

  @Test
  void reads_neverPassTheFrameEndEvenIfTheBufferHasMore() {
    buf = Unpooled.wrappedBuffer(HexFormat.of().parseHex("0102030405060708090a"));
    reader.begin(buf, 4, FrameType.HEARTBEAT);
    assertThat(reader.u16("a")).isEqualTo(0x0102);
    assertThatThrownBy(() -> reader.u32("b"))
        .hasMessageContaining("HEARTBEAT frame: b needs 4 bytes but 2 remain");
  }

  @Test
  void string_asciiAndMultiByte_decodeAndAdvance() {
    begin("0002" + "6869" + "0004" + "f09f9880");
    assertThat(reader.string("a", 10)).isEqualTo("hi");
    assertThat(reader.string("b", 10)).isEqualTo("\ud83d\ude00");
    assertThat(reader.remaining()).isZero();
  }

  private void begin(String hex) {
    buf = Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex));
    reader.begin(buf, buf.writerIndex(), FrameType.GOODBYE);
  }
}
