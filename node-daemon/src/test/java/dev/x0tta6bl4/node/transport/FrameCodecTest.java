package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.x0tta6bl4.node.transport.Frame.Goodbye;
import dev.x0tta6bl4.node.transport.Frame.Heartbeat;
import dev.x0tta6bl4.node.transport.Frame.Hello;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  private static final String HEARTBEAT_HEX =
      "00000014" + "01" + "03" + "0000" + "0102030405060708" + "fffffffffffffffe";
  private static final String GOODBYE_HEX =
      "0000000a" + "01" + "02" + "0000" + "0024" + "0002" + "c3a9";
  private static final String HELLO_HEX =
      "00000031" + "01" + "01" + "0000"
          + "01" + "02" + "0000000000000010" + "0000000000000007"
          + "0001" + "61"
          + "0011" + "7370696666653a2f2f742f6e6f64652f61"
          + "0003" + "683a31";

  private final TrackingAllocator alloc = new TrackingAllocator();
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void paranoidLeakDetection() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @AfterEach
  void releaseEverything() {
    for (EmbeddedChannel channel : channels) {
      channel.finishAndReleaseAll();
    }
    alloc.assertAllReleased();
  }

  @Test
  void encodeThenDecode_everyFrameType_givesEqualFrame() {
    EmbeddedChannel encoder = track(Frames.channel(alloc, new FrameEncoder()));
    EmbeddedChannel decoder = track(Frames.channel(alloc, new FrameDecoder()));
    for (Frame frame : Frames.oneOfEach()) {
      assertThat(encoder.writeOutbound(frame)).isTrue();
      ByteBuf wire = encoder.readOutbound();
      decoder.writeInbound(wire);
      assertThat(Frames.readAllInbound(decoder)).containsExactly(frame);
    }
    assertThat(Frames.oneOfEach()).extracting(Frame::type).contains(FrameType.values());
  }

  @Test
  void encode_heartbeat_matchesHandWrittenBytes() {
    assertThat(encodeHex(new Heartbeat(0x0102030405060708L, -2L))).isEqualTo(HEARTBEAT_HEX);
  }

  @Test
  void encode_goodbyeWithNonAsciiDetail_matchesHandWrittenBytes() {
    assertThat(encodeHex(new Goodbye(GoodbyeReason.OVERLOADED, "\u00e9"))).isEqualTo(GOODBYE_HEX);
  }

  @Test
  void encode_hello_matchesHandWrittenBytes() {
    Hello hello = new Hello("a", "spiffe://t/node/a", 1, 2, 0x10L, "h:1", 7L);
    assertThat(encodeHex(hello)).isEqualTo(HELLO_HEX);
  }

  @Test
  void decode_handWrittenBytes_givesTheFrames() {
    EmbeddedChannel decoder = track(Frames.channel(alloc, new FrameDecoder()));
    decoder.writeInbound(Frames.hex(alloc, HELLO_HEX + HEARTBEAT_HEX + GOODBYE_HEX));
    assertThat(Frames.readAllInbound(decoder))
        .containsExactly(
            new Hello("a", "spiffe://t/node/a", 1, 2, 0x10L, "h:1", 7L),
            new Heartbeat(0x0102030405060708L, -2L),
            new Goodbye(GoodbyeReason.OVERLOADED, "\u00e9"));
  }

  @Test
  void encode_anyFrame_allocatesOneBufferOfExactlyTheFrameLength() {
    EmbeddedChannel encoder = track(Frames.channel(alloc, new FrameEncoder()));
    for (Frame frame : Frames.oneOfEach()) {
      encoder.writeOutbound(frame);
      ByteBuf wire = encoder.readOutbound();
      try {
        assertThat(wire.capacity()).isEqualTo(wire.readableBytes());
        assertThat(wire.readableBytes()).isEqualTo(FrameEncoder.encodedLength(frame));
        assertThat(wire.getUnsignedInt(0)).isEqualTo(wire.readableBytes() - 4L);
      } finally {
        wire.release();
      }
    }
    assertThat(alloc.allocations()).isEqualTo(Frames.oneOfEach().size());
  }

  @Test
  void decode_framesFedOneByteAtATime_giveEachFrameOnlyWhenComplete() {
    EmbeddedChannel decoder = track(Frames.channel(alloc, new FrameDecoder()));
    List<Frame> expected = Frames.oneOfEach();
    byte[] wire = Frames.encode(expected);
    List<Frame> decoded = new ArrayList<>();
    int frameEnd = 0;
    int index = 0;
    for (int i = 0; i < wire.length; i++) {
      decoder.writeInbound(Frames.bytes(alloc, new byte[] {wire[i]}));
      List<Frame> got = Frames.readAllInbound(decoder);
      if (i + 1 == frameEnd + FrameEncoder.encodedLength(expected.get(index))) {
        assertThat(got).as("frame %d completes at byte %d", index, i).hasSize(1);
        frameEnd = i + 1;
        index++;
      } else {
        assertThat(got).as("nothing before byte %d completes a frame", i).isEmpty();
      }
      decoded.addAll(got);
    }
    assertThat(decoded).isEqualTo(expected);
  }

  @Test
  void decode_manyFramesInOneRead_givesAllInOrder() {
    List<Frame> expected = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      expected.addAll(Frames.oneOfEach());
    }
    EmbeddedChannel decoder = track(Frames.channel(alloc, new FrameDecoder()));
    decoder.writeInbound(Frames.bytes(alloc, Frames.encode(expected)));
    assertThat(Frames.readAllInbound(decoder)).isEqualTo(expected);
  }

  @Test
  void decode_framesSplitAtRandomBoundaries_givesAllInOrder() {
    long seed = System.nanoTime();
    System.out.println("decode_framesSplitAtRandomBoundaries seed " + seed);
    Random random = new Random(seed);
    List<Frame> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.addAll(Frames.oneOfEach());
    }
    byte[] wire = Frames.encode(expected);
    EmbeddedChannel decoder = track(Frames.channel(alloc, new FrameDecoder()));
    List<Frame> decoded = new ArrayList<>();
    for (int offset = 0; offset < wire.length; ) {
      int n = Math.min(wire.length - offset, 1 + random.nextInt(300));
      decoder.writeInbound(alloc.buffer(n).writeBytes(wire, offset, n));
      decoded.addAll(Frames.readAllInbound(decoder));
      offset += n;
    }
    assertThat(decoded).as("seed %d", seed).isEqualTo(expected);
  }

  @Test
  void finish_partialFrameBuffered_dropsItSilently() {
    EmbeddedChannel decoder = track(Frames.channel(alloc, new FrameDecoder()));
    decoder.writeInbound(Frames.hex(alloc, HEARTBEAT_HEX.substring(0, 20)));
    assertThat(decoder.finish()).isFalse();
    assertThat(decoder.isOpen()).isFalse();
  }

  @Test
  void constructors_maxFrameSizeOutOfRange_areRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new FrameDecoder(FrameFormat.MIN_MAX_FRAME_SIZE - 1))
        .withMessageContaining("maxFrameSize 4095");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new FrameEncoder(FrameFormat.MAX_MAX_FRAME_SIZE + 1))
        .withMessageContaining("maxFrameSize");
  }

  @Test
  void maxFrameSize_canHoldTheLargestFrameOfEveryFixedLayoutType() {
    // Opaque types are bounded by the frame cap alone; their owners' codecs cap their fields.
    for (FrameType type : FrameType.values()) {
      if (type.opaque()) {
        continue;
      }
      assertThat(FrameFormat.HEADER_LENGTH + type.maxBodyLength())
          .as("largest %s frame", type)
          .isLessThanOrEqualTo(FrameFormat.MIN_MAX_FRAME_SIZE);
    }
  }

  private String encodeHex(Frame frame) {
    EmbeddedChannel encoder = track(Frames.channel(alloc, new FrameEncoder()));
    encoder.writeOutbound(frame);
    return HexFormat.of().formatHex(Frames.drainOutbound(encoder));
  }

  private EmbeddedChannel track(EmbeddedChannel channel) {
    channels.add(channel);
    return channel;
  }
}
