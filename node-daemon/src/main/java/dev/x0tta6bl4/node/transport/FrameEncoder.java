package dev.x0tta6bl4.node.transport;

import static dev.x0tta6bl4.node.transport.FrameFormat.HEADER_LENGTH;
import static dev.x0tta6bl4.node.transport.FrameFormat.LENGTH_FIELD_LENGTH;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link Frame}s to a mesh link in the wire format of {@link FrameFormat}:
 *
 * <pre>
 * +-------------+--------------+-----------+-------------+-----------------------------+
 * | length: u32 | version: u8  | type: u8  | flags: u16  | body: (length - 4) bytes    |
 * +-------------+--------------+-----------+-------------+-----------------------------+
 * </pre>
 *
 * <p>Each frame goes into one buffer allocated at its exact size (the body length is computed
 * first), so nothing is resized or copied. Version is always {@value
 * FrameFormat#PROTOCOL_VERSION} and flags 0, as no flags are defined yet. A frame longer than
 * {@code maxFrameSize} fails its write promise with an {@code EncoderException} (the peer would
 * refuse it); no version-1 frame can be that long.
 *
 * <p>Stateless, so one instance may be shared by every channel ({@link Sharable}).
 */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {
  private final int maxFrameSize;

  /** An encoder with the node default maximum frame size, 1 MiB. */
  public FrameEncoder() {
    this(FrameFormat.DEFAULT_MAX_FRAME_SIZE);
  }

  /**
   * @param maxFrameSize the largest {@code length} written, {@value
   *     FrameFormat#MIN_MAX_FRAME_SIZE}..{@value FrameFormat#MAX_MAX_FRAME_SIZE} bytes
   * @throws IllegalArgumentException if out of range
   */
  public FrameEncoder(int maxFrameSize) {
    super(Frame.class);
    this.maxFrameSize = FrameFormat.requireValidMaxFrameSize(maxFrameSize);
  }

  /** Bytes {@code frame} takes on the wire, length prefix included. */
  public static int encodedLength(Frame frame) {
    return LENGTH_FIELD_LENGTH + HEADER_LENGTH + FrameBodies.bodyLength(frame);
  }

  /**
   * Writes {@code frame} at {@code out}'s writer index, growing it if needed; for code outside
   * a pipeline (tests, tools).
   */
  public static void encode(Frame frame, ByteBuf out) {
    int start = out.writerIndex();
    out.writeInt(0);
    out.writeByte(FrameFormat.PROTOCOL_VERSION);
    out.writeByte(frame.type().code());
    out.writeShort(0);
    FrameBodies.write(frame, out);
    out.setInt(start, out.writerIndex() - start - LENGTH_FIELD_LENGTH);
  }

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
    int size = encodedLength(frame);
    if (size - LENGTH_FIELD_LENGTH > maxFrameSize) {
      throw new IllegalArgumentException(
          frame.type() + " frame length " + (size - LENGTH_FIELD_LENGTH)
              + " exceeds the maximum frame size " + maxFrameSize);
    }
    return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
    encode(frame, out);
  }
}
