package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of the codec: hostile bytes in any chunking never throw anything but a
 * {@link FrameDecodingException} and never make the decoder hold or allocate beyond its cap;
 * valid frames survive encode then decode unchanged. jqwik prints the seed of a failing run.
 */
class FrameCodecPropertyTest {
  private static final int CAP = FrameFormat.MIN_MAX_FRAME_SIZE;
  private static final int MAX_CHUNK = 700;
  /** Cumulation grows to a power of two at or above what it must hold: below twice that. */
  private static final int ALLOCATION_BOUND = 2 * (FrameFormat.LENGTH_FIELD_LENGTH + CAP
      + MAX_CHUNK);

  @BeforeContainer
  static void paranoidLeakDetection() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @Property(tries = 1000)
  void decode_hostileBytesInAnyChunking_failsOnlyTypedAndStaysWithinTheCap(
      @ForAll("hostileStreams") byte[] stream, @ForAll("chunkSizes") List<Integer> chunks) {
    TrackingAllocator alloc = new TrackingAllocator();
    FrameDecoder decoder = new FrameDecoder(CAP);
    EmbeddedChannel channel = Frames.channel(alloc, decoder);
    boolean failed = false;
    FrameDecodingException.Reason failureReason = null;
    int offset = 0;
    for (int i = 0; offset < stream.length; i++) {
      int n = Math.min(stream.length - offset, chunks.get(i % chunks.size()));
      ByteBuf chunk = alloc.buffer(n).writeBytes(stream, offset, n);
      offset += n;
      try {
        channel.writeInbound(chunk);
        if (failed) {
          assertThat(Frames.readAllInbound(channel)).as("frames after an error").isEmpty();
        }
      } catch (Throwable t) {
        assertThat(failed).as("a second error after the first").isFalse();
        assertThat(unwrap(t)).isInstanceOf(FrameDecodingException.class);
        failureReason = ((FrameDecodingException) unwrap(t)).reason();
        failed = true;
      }
      Frames.readAllInbound(channel);
      assertThat(decoder.bufferedBytes())
          .as("bytes buffered between reads")
          .isLessThan(FrameFormat.LENGTH_FIELD_LENGTH + CAP);
      assertThat(decoder.bufferedCapacity()).isLessThanOrEqualTo(ALLOCATION_BOUND);
    }
    assertThat(decoder.hasFailed()).isEqualTo(failed);
    Statistics.label("outcome").collect(failureReason == null ? "no error" : failureReason);
    // The generators must reach the body checks, not only the length check.
    Statistics.label("outcome").coverage(c -> {
      c.check("no error").count(n -> n > 0);
      c.check(FrameDecodingException.Reason.FRAME_TOO_LARGE).count(n -> n > 0);
      c.check(FrameDecodingException.Reason.TRUNCATED_FRAME).count(n -> n > 0);
      c.check(FrameDecodingException.Reason.UNSUPPORTED_VERSION).count(n -> n > 0);
      c.check(FrameDecodingException.Reason.INVALID_UTF8).count(n -> n > 0);
    });
    channel.finishAndReleaseAll();
    assertThat(alloc.largestRequest()).isLessThanOrEqualTo(ALLOCATION_BOUND);
    alloc.assertAllReleased();
  }

  @Property(tries = 500)
  void decodeOfEncode_anyValidFrame_isTheSameFrame(@ForAll("frames") Frame frame) {
    ByteBuf buf = Unpooled.buffer();
    try {
      FrameEncoder.encode(frame, buf);
      assertThat(buf.readableBytes()).isEqualTo(FrameEncoder.encodedLength(frame));
      assertThat(buf.readableBytes() - 8).isBetween(
          frame.type().minBodyLength(), frame.type().maxBodyLength());
    } finally {
      buf.release();
    }
    assertThat(roundTrip(List.of(frame), List.of(MAX_CHUNK))).containsExactly(frame);
  }

  @Property(tries = 100)
  void decodeOfEncode_manyFramesInAnyChunking_areTheSameFramesInOrder(
      @ForAll("frameLists") List<Frame> frames, @ForAll("chunkSizes") List<Integer> chunks) {
    assertThat(roundTrip(frames, chunks)).isEqualTo(frames);
  }

  @Provide
  Arbitrary<Frame> frames() {
    return FrameArbitraries.frames();
  }

  @Provide
  Arbitrary<List<Frame>> frameLists() {
    return FrameArbitraries.frames().list().ofMinSize(1).ofMaxSize(30);
  }

  @Provide
  Arbitrary<List<Integer>> chunkSizes() {
    return Arbitraries.integers().between(1, MAX_CHUNK).list().ofMinSize(1).ofMaxSize(20);
  }

  /**
   * Pure noise (mostly rejected on the length), noise behind a plausible header (reaches the
   * type and body checks), and valid streams with a few bytes flipped, cut or inserted (reaches
   * every field check).
   */
  @Provide
  Arbitrary<byte[]> hostileStreams() {
    Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(3 * CAP);
    Arbitrary<byte[]> headed = Combinators.combine(
            Arbitraries.integers().between(0, CAP + 8),
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 8),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(CAP + 16))
        .as((length, version, type, rest) -> {
          ByteBuf b = Unpooled.buffer();
          b.writeInt(length).writeByte(version).writeByte(type).writeShort(0).writeBytes(rest);
          return toArray(b);
        });
    Arbitrary<byte[]> mutated = Combinators.combine(
            FrameArbitraries.frames().list().ofMinSize(1).ofMaxSize(8),
            Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1)
                .ofMaxSize(4),
            Arbitraries.bytes())
        .as(FrameCodecPropertyTest::mutate);
    return Arbitraries.oneOf(noise, headed, mutated);
  }

  private static byte[] mutate(List<Frame> frames, List<Integer> positions, byte value) {
    byte[] wire = Frames.encode(frames);
    ByteBuf b = Unpooled.buffer();
    int op = positions.get(0) % 3;
    int at = positions.get(0) % wire.length;
    if (op == 0) {
      for (int p : positions) {
        wire[p % wire.length] ^= (byte) (value == 0 ? 1 : value);
      }
      b.writeBytes(wire);
    } else if (op == 1) {
      b.writeBytes(wire, 0, at);
    } else {
      b.writeBytes(wire, 0, at).writeByte(value).writeBytes(wire, at, wire.length - at);
    }
    return toArray(b);
  }

  private static List<Frame> roundTrip(List<Frame> frames, List<Integer> chunks) {
    TrackingAllocator alloc = new TrackingAllocator();
    EmbeddedChannel encoder = Frames.channel(alloc, new FrameEncoder(CAP));
    EmbeddedChannel decoder = Frames.channel(alloc, new FrameDecoder(CAP));
    for (Frame frame : frames) {
      encoder.writeOutbound(frame);
    }
    byte[] wire = Frames.drainOutbound(encoder);
    List<Frame> decoded = new ArrayList<>();
    int offset = 0;
    for (int i = 0; offset < wire.length; i++) {
      int n = Math.min(wire.length - offset, chunks.get(i % chunks.size()));
      decoder.writeInbound(alloc.buffer(n).writeBytes(wire, offset, n));
      decoded.addAll(Frames.readAllInbound(decoder));
      offset += n;
    }
    encoder.finishAndReleaseAll();
    decoder.finishAndReleaseAll();
    alloc.assertAllReleased();
    return decoded;
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof DecoderException && !(t instanceof FrameDecodingException)
        && t.getCause() != null ? t.getCause() : t;
  }

  private static byte[] toArray(ByteBuf b) {
    try {
      byte[] out = new byte[b.readableBytes()];
      b.readBytes(out);
      return out;
    } finally {
      b.release();
    }
  }
}
