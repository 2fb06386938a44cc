package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.transport.Frame.Goodbye;
import dev.x0tta6bl4.node.transport.Frame.Heartbeat;
import dev.x0tta6bl4.node.transport.Frame.HeartbeatAck;
import dev.x0tta6bl4.node.transport.Frame.Hello;
import dev.x0tta6bl4.node.transport.Frame.ProbeRequest;
import dev.x0tta6bl4.node.transport.Frame.ProbeResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Sample frames and channel helpers shared by the transport tests. */
final class Frames {
  private Frames() {}

  static Hello hello() {
    return new Hello("node-a", "spiffe://mesh.example/node/node-a", 1, 1, 0x5L,
        "127.0.0.1:7000", 0x0123456789abcdefL);
  }

  /** One valid frame of every type, with values that exercise sign bits and non-ASCII text. */
  static List<Frame> oneOfEach() {
    return List.of(
        hello(),
        new Hello("z9", "spiffe://td/node/z9", 1, 255, -1L, "[::1]:65535", Long.MIN_VALUE),
        new Heartbeat(-1L, 123_456_789L),
        new HeartbeatAck(42L, Long.MAX_VALUE, 1_700_000_000_000L),
        new ProbeRequest(7L, "node-b"),
        new ProbeResult(7L, "node-b", ProbeOutcome.UNREACHABLE),
        new Goodbye(GoodbyeReason.NORMAL_SHUTDOWN, ""),
        new Goodbye(GoodbyeReason.OVERLOADED, "zu viel Last \u00e4\u20ac\ud83d\ude00"),
        new Frame.Opaque(FrameType.LINK_STATE_ADVERT, new byte[] {1, 2, 3}),
        new Frame.Opaque(FrameType.QUARANTINE_NOTICE, new byte[] {1, 4}),
        new Frame.Opaque(FrameType.DATA, new byte[300]),
        new Frame.Opaque(FrameType.DATA_ACK, new byte[] {9}),
        new Frame.Opaque(FrameType.BROADCAST, new byte[] {7, 7}));
  }

  /** A channel using {@code alloc} with the given handlers, added after the allocator is set. */
  static EmbeddedChannel channel(TrackingAllocator alloc, ChannelHandler... handlers) {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAllocator(alloc);
    channel.pipeline().addLast(handlers);
    return channel;
  }

  static ByteBuf bytes(TrackingAllocator alloc, byte[] data) {
    return alloc.buffer(data.length).writeBytes(data);
  }

  static ByteBuf hex(TrackingAllocator alloc, String hex) {
    return bytes(alloc, HexFormat.of().parseHex(hex.replace(" ", "")));
  }

  /** The wire bytes of {@code frames}, encoded back to back. */
  static byte[] encode(List<? extends Frame> frames) {
    ByteBuf buf = Unpooled.buffer();
    try {
      for (Frame frame : frames) {
        FrameEncoder.encode(frame, buf);
      }
      byte[] out = new byte[buf.readableBytes()];
      buf.readBytes(out);
      return out;
    } finally {
      buf.release();
    }
  }

  /** Every inbound message of {@code channel}, each checked to be a {@link Frame}. */
  static List<Frame> readAllInbound(EmbeddedChannel channel) {
    List<Frame> frames = new ArrayList<>();
    for (Object msg; (msg = channel.readInbound()) != null; ) {
      assertThat(msg).isInstanceOf(Frame.class);
      frames.add((Frame) msg);
    }
    return frames;
  }

  /** Every outbound buffer of {@code channel} concatenated; each buffer is released. */
  static byte[] drainOutbound(EmbeddedChannel channel) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object msg; (msg = channel.readOutbound()) != null; ) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        byte[] data = new byte[buf.readableBytes()];
        buf.readBytes(data);
        out.writeBytes(data);
      } finally {
        buf.release();
      }
    }
    return out.toByteArray();
  }
}
