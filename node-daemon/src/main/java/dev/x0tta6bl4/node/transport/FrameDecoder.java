package dev.x0tta6bl4.node.transport;

import static dev.x0tta6bl4.node.transport.FrameFormat.HEADER_LENGTH;
import static dev.x0tta6bl4.node.transport.FrameFormat.LENGTH_FIELD_LENGTH;

import dev.x0tta6bl4.node.transport.FrameDecodingException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Turns the byte stream of a mesh link into {@link Frame}s, strictly: anything that breaks the
 * wire format is a {@link FrameDecodingException} with a typed {@link Reason}, and after the
 * first one the decoder discards every further byte (the stream is no longer trusted).
 *
 * <pre>
 * +-------------+--------------+-----------+-------------+-----------------------------+
 * | length: u32 | version: u8  | type: u8  | flags: u16  | body: (length - 4) bytes    |
 * +-------------+--------------+-----------+-------------+-----------------------------+
 *   big-endian; length counts version..body; 4 <= length <= maxFrameSize
 * </pre>
 *
 * <p>Checks, in order, each as soon as its bytes have arrived: the length against {@code
 * maxFrameSize} (so an oversized frame fails on its first 4 bytes, before anything is buffered
 * for it) and against the header size; then version (must be {@value
 * FrameFormat#PROTOCOL_VERSION}), type ({@link FrameType}), flags, and the length against the
 * type's body bounds; then, once the whole frame is buffered, each field (caps, UTF-8, enum
 * values, record rules) and that no bytes trail the last field. So the decoder never buffers
 * more than one partial frame of at most {@code 4 + maxFrameSize} bytes between reads. Frames
 * are decoded in place from the cumulation buffer; nothing is copied but the field values.
 *
 * <p>A stream that ends in the middle of a frame (channel closed) is not an error: the partial
 * frame is dropped silently, since the link is already gone. See {@link FrameFormat} and {@code
 * docs/protocol.md} for the bodies.
 *
 * <p>One instance per channel (not sharable), used on that channel's event loop; Netty releases
 * its buffer when the handler is removed or the channel closes.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
  private final int maxFrameSize;
  private final FrameReader reader = new FrameReader();
  private boolean failed;

  /** A decoder with the node default maximum frame size, 1 MiB. */
  public FrameDecoder() {
    this(FrameFormat.DEFAULT_MAX_FRAME_SIZE);
  }

  /**
   * @param maxFrameSize the largest {@code length} accepted, {@value
   *     FrameFormat#MIN_MAX_FRAME_SIZE}..{@value FrameFormat#MAX_MAX_FRAME_SIZE} bytes
   * @throws IllegalArgumentException if out of range
   */
  public FrameDecoder(int maxFrameSize) {
    this.maxFrameSize = FrameFormat.requireValidMaxFrameSize(maxFrameSize);
  }

  /** The largest {@code length} this decoder accepts. */
  public int maxFrameSize() {
    return maxFrameSize;
  }

  /** Whether a decoding error has occurred, after which all input is discarded. */
  public boolean hasFailed() {
    return failed;
  }

  /** Bytes held in the cumulation buffer between reads (for tests of the memory bound). */
  int bufferedBytes() {
    return internalBuffer().readableBytes();
  }

  /** Capacity of the cumulation buffer (for tests of the memory bound). */
  int bufferedCapacity() {
    return internalBuffer().capacity();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      Frame frame = decodeFrame(in);
      if (frame != null) {
        out.add(frame);
      }
    } catch (FrameDecodingException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    } finally {
      reader.finish();
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    // Complete frames were decoded before this call; what remains is a partial frame of a link
    // that is gone, so it is dropped rather than reported.
    in.skipBytes(in.readableBytes());
  }

  /** Decodes one frame from {@code in}, or returns null (reading nothing) if it is partial. */
  private Frame decodeFrame(ByteBuf in) {
    int readable = in.readableBytes();
    if (readable < LENGTH_FIELD_LENGTH) {
      return null;
    }
    int start = in.readerIndex();
    long length = in.getUnsignedInt(start);
    if (length > maxFrameSize) {
      throw new FrameDecodingException(
          Reason.FRAME_TOO_LARGE,
          "frame length " + length + " exceeds the maximum frame size " + maxFrameSize);
    }
    if (length < HEADER_LENGTH) {
      throw new FrameDecodingException(
          Reason.TRUNCATED_FRAME,
          "frame length " + length + " is shorter than the " + HEADER_LENGTH + "-byte header");
    }
    if (readable < LENGTH_FIELD_LENGTH + HEADER_LENGTH) {
      return null;
    }
    FrameType type = checkHeader(in, start, (int) length - HEADER_LENGTH);
    int end = start + LENGTH_FIELD_LENGTH + (int) length;
    if (readable < LENGTH_FIELD_LENGTH + length) {
      return null;
    }
    in.readerIndex(start + LENGTH_FIELD_LENGTH + HEADER_LENGTH);
    reader.begin(in, end, type);
    Frame frame = FrameBodies.read(type, reader);
    if (in.readerIndex() != end) {
      throw reader.error(
          Reason.TRAILING_BYTES,
          (end - in.readerIndex()) + " bytes trail the last field");
    }
    return frame;
  }

  private static FrameType checkHeader(ByteBuf in, int start, int bodyLength) {
    int version = in.getUnsignedByte(start + LENGTH_FIELD_LENGTH);
    if (version != FrameFormat.PROTOCOL_VERSION) {
      throw new FrameDecodingException(
          Reason.UNSUPPORTED_VERSION,
          "protocol version " + version + " is not supported; expected "
              + FrameFormat.PROTOCOL_VERSION);
    }
    int code = in.getUnsignedByte(start + LENGTH_FIELD_LENGTH + 1);
    FrameType type = FrameType.lookup(code);
    if (type == null) {
      throw new FrameDecodingException(
          Reason.UNKNOWN_FRAME_TYPE,
          "frame type " + code + " is not defined in protocol version "
              + FrameFormat.PROTOCOL_VERSION);
    }
    int flags = in.getUnsignedShort(start + LENGTH_FIELD_LENGTH + 2);
    if ((flags & ~type.allowedFlags()) != 0) {
      throw new FrameDecodingException(
          Reason.UNKNOWN_FLAGS,
          type + " frame: flags 0x" + Integer.toHexString(flags) + " set undefined bits; allowed 0x"
              + Integer.toHexString(type.allowedFlags()));
    }
    if (bodyLength < type.minBodyLength()) {
      throw new FrameDecodingException(
          Reason.TRUNCATED_FRAME,
          type + " frame: body of " + bodyLength + " bytes is shorter than the minimum "
              + type.minBodyLength());
    }
    if (bodyLength > type.maxBodyLength()) {
      throw new FrameDecodingException(
          Reason.FRAME_TOO_LARGE,
          type + " frame: body of " + bodyLength + " bytes exceeds the maximum "
              + type.maxBodyLength() + " its fields can hold");
    }
    return type;
  }
}
