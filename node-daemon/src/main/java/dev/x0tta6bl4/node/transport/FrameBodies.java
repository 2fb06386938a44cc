package dev.x0tta6bl4.node.transport;

import static dev.x0tta6bl4.node.transport.FrameFormat.MAX_GOODBYE_DETAIL_BYTES;
import static dev.x0tta6bl4.node.transport.FrameFormat.MAX_LISTEN_ADDRESS_BYTES;
import static dev.x0tta6bl4.node.transport.FrameFormat.MAX_NODE_ID_BYTES;
import static dev.x0tta6bl4.node.transport.FrameFormat.MAX_SPIFFE_ID_BYTES;

import dev.x0tta6bl4.node.transport.FrameDecodingException.Reason;
import dev.x0tta6bl4.node.transport.Frame.Goodbye;
import dev.x0tta6bl4.node.transport.Frame.Heartbeat;
import dev.x0tta6bl4.node.transport.Frame.HeartbeatAck;
import dev.x0tta6bl4.node.transport.Frame.Hello;
import dev.x0tta6bl4.node.transport.Frame.ProbeRequest;
import dev.x0tta6bl4.node.transport.Frame.ProbeResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.function.Supplier;

/**
 * The body layout of every frame type, in one place: its size, how it is written and how it
 * is read. The field order here is the order in {@code docs/protocol.md}; the two must change
 * together. Stateless; dispatch is a switch on {@link FrameType}, no reflection.
 */
final class FrameBodies {
  private FrameBodies() {}

  /** Exact body length of {@code frame} in bytes (after the 4-byte header). */
  static int bodyLength(Frame frame) {
    switch (frame.type()) {
      case HELLO:
        Hello h = (Hello) frame;
        return 1 + 1 + 8 + 8 + str(h.nodeId()) + str(h.spiffeId()) + str(h.listenAddress());
      case GOODBYE:
        return 2 + str(((Goodbye) frame).detail());
      case HEARTBEAT:
        return 8 + 8;
      case HEARTBEAT_ACK:
        return 8 + 8 + 8;
      case PROBE_REQUEST:
        return 8 + str(((ProbeRequest) frame).targetNodeId());
      case PROBE_RESULT:
        return 8 + 1 + str(((ProbeResult) frame).targetNodeId());
      case LINK_STATE_ADVERT:
      case QUARANTINE_NOTICE:
      case DATA:
      case DATA_ACK:
      case BROADCAST:
        return ((Frame.Opaque) frame).body().length;
      default:
        throw new IllegalStateException("no body layout for frame type " + frame.type());
    }
  }

  /** Writes the body of {@code frame} at {@code out}'s writer index. */
  static void write(Frame frame, ByteBuf out) {
    switch (frame.type()) {
      case HELLO:
        Hello h = (Hello) frame;
        out.writeByte(h.minVersion());
        out.writeByte(h.maxVersion());
        out.writeLong(h.capabilities());
        out.writeLong(h.bootId());
        writeString(out, h.nodeId());
        writeString(out, h.spiffeId());
        writeString(out, h.listenAddress());
        return;
      case GOODBYE:
        Goodbye g = (Goodbye) frame;
        out.writeShort(g.reason().code());
        writeString(out, g.detail());
        return;
      case HEARTBEAT:
        Heartbeat hb = (Heartbeat) frame;
        out.writeLong(hb.sequence());
        out.writeLong(hb.senderTimeNanos());
        return;
      case HEARTBEAT_ACK:
        HeartbeatAck ack = (HeartbeatAck) frame;
        out.writeLong(ack.sequence());
        out.writeLong(ack.echoedSenderTimeNanos());
        out.writeLong(ack.responderTimeMillis());
        return;
      case PROBE_REQUEST:
        ProbeRequest req = (ProbeRequest) frame;
        out.writeLong(req.probeId());
        writeString(out, req.targetNodeId());
        return;
      case PROBE_RESULT:
        ProbeResult res = (ProbeResult) frame;
        out.writeLong(res.probeId());
        out.writeByte(res.outcome().code());
        writeString(out, res.targetNodeId());
        return;
      case LINK_STATE_ADVERT:
      case QUARANTINE_NOTICE:
      case DATA:
      case DATA_ACK:
      case BROADCAST:
        out.writeBytes(((Frame.Opaque) frame).body());
        return;
      default:
        throw new IllegalStateException("no body layout for frame type " + frame.type());
    }
  }

  /**
   * Reads a body of {@code type}; the caller checks that the reader is at the frame's end
   * afterwards. Field values that break a record's rules become {@link Reason#INVALID_FIELD}.
   */
  static Frame read(FrameType type, FrameReader r) {
    switch (type) {
      case HELLO:
        return readHello(r);
      case GOODBYE:
        int code = r.u16("reason");
        GoodbyeReason reason = GoodbyeReason.fromCode(code).orElseThrow(
            () -> r.error(Reason.INVALID_ENUM_VALUE, "reason code " + code + " is not defined"));
        String detail = r.string("detail", MAX_GOODBYE_DETAIL_BYTES);
        return build(r, () -> new Goodbye(reason, detail));
      case HEARTBEAT:
        return new Heartbeat(r.i64("sequence"), r.i64("senderTimeNanos"));
      case HEARTBEAT_ACK:
        return new HeartbeatAck(
            r.i64("sequence"), r.i64("echoedSenderTimeNanos"), r.i64("responderTimeMillis"));
      case PROBE_REQUEST:
        long probeId = r.i64("probeId");
        String target = r.string("targetNodeId", MAX_NODE_ID_BYTES);
        return build(r, () -> new ProbeRequest(probeId, target));
      case PROBE_RESULT:
        return readProbeResult(r);
      case LINK_STATE_ADVERT:
      case QUARANTINE_NOTICE:
      case DATA:
      case DATA_ACK:
      case BROADCAST:
        return new Frame.Opaque(type, r.rest());
      default:
        throw new IllegalStateException("no body layout for frame type " + type);
    }
  }

  private static Frame readHello(FrameReader r) {
    int minVersion = r.u8("minVersion");
    int maxVersion = r.u8("maxVersion");
    long capabilities = r.i64("capabilities");
    long bootId = r.i64("bootId");
    String nodeId = r.string("nodeId", MAX_NODE_ID_BYTES);
    String spiffeId = r.string("spiffeId", MAX_SPIFFE_ID_BYTES);
    String listenAddress = r.string("listenAddress", MAX_LISTEN_ADDRESS_BYTES);
    return build(
        r,
        () -> new Hello(nodeId, spiffeId, minVersion, maxVersion, capabilities, listenAddress,
            bootId));
  }

  private static Frame readProbeResult(FrameReader r) {
    long probeId = r.i64("probeId");
    int code = r.u8("outcome");
    ProbeOutcome outcome = ProbeOutcome.fromCode(code).orElseThrow(
        () -> r.error(Reason.INVALID_ENUM_VALUE, "outcome " + code + " is not defined"));
    String target = r.string("targetNodeId", MAX_NODE_ID_BYTES);
    return build(r, () -> new ProbeResult(probeId, target, outcome));
  }

  private static Frame build(FrameReader r, Supplier<Frame> constructor) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      throw r.error(Reason.INVALID_FIELD, e.getMessage());
    }
  }

  private static int str(String s) {
    return 2 + ByteBufUtil.utf8Bytes(s);
  }

  private static void writeString(ByteBuf out, String s) {
    // Reserving the exact length keeps an exactly sized buffer from growing (writeUtf8 would
    // reserve 3 bytes per char).
    int length = ByteBufUtil.utf8Bytes(s);
    out.writeShort(length);
    ByteBufUtil.reserveAndWriteUtf8(out, s, length);
  }
}
