package dev.x0tta6bl4.node.transport;

import dev.x0tta6bl4.node.transport.FrameDecodingException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of one frame body from a buffer, never past the frame's end: every read
 * checks the bytes remaining and fails with a {@link FrameDecodingException} that names the
 * frame type and field. One instance per {@link FrameDecoder}, reused for every frame (no
 * allocation per frame besides the values read); used only on that decoder's event loop.
 */
final class FrameReader {
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private ByteBuf in;
  private int end;
  private FrameType type;

  /** Starts reading a body of {@code type} from {@code in}'s reader index up to {@code end}. */
  void begin(ByteBuf in, int end, FrameType type) {
    this.in = in;
    this.end = end;
    this.type = type;
  }

  /** Forgets the buffer, so the reader holds no reference between frames. */
  void finish() {
    this.in = null;
  }

  int remaining() {
    return end - in.readerIndex();
  }

  int u8(String field) {
    need(field, 1);
    return in.readUnsignedByte();
  }

  int u16(String field) {
    need(field, 2);
    return in.readUnsignedShort();
  }

  long u32(String field) {
    need(field, 4);
    return in.readUnsignedInt();
  }

  long i64(String field) {
    need(field, 8);
    return in.readLong();
  }

  /** A {@code u16 length + UTF-8} string of at most {@code maxBytes}, strictly decoded. */
  String string(String field, int maxBytes) {
    need(field, " length", 2);
    int length = in.readUnsignedShort();
    if (length > maxBytes) {
      throw error(
          Reason.FIELD_TOO_LONG,
          field + " is " + length + " bytes; at most " + maxBytes + " are allowed");
    }
    need(field, length);
    int index = in.readerIndex();
    String value = isAscii(index, length)
        ? in.toString(index, length, StandardCharsets.US_ASCII)
        : decodeStrict(field, index, length);
    in.skipBytes(length);
    return value;
  }

  /** Every byte left in the frame (an opaque body). */
  byte[] rest() {
    byte[] value = new byte[remaining()];
    in.readBytes(value);
    return value;
  }

  /** A {@code u32 length + bytes} array of at most {@code maxBytes}, bounded by the frame. */
  byte[] bytes(String field, int maxBytes) {
    need(field, " length", 4);
    long length = in.readUnsignedInt();
    if (length > maxBytes) {
      throw error(
          Reason.FIELD_TOO_LONG,
          field + " is " + length + " bytes; at most " + maxBytes + " are allowed");
    }
    need(field, length);
    byte[] value = new byte[(int) length];
    in.readBytes(value);
    return value;
  }

  /**
   * A {@code u16} element count of a list whose elements take at least {@code minElementBytes}
   * each, so a count that cannot fit in the rest of the frame fails before anything is
   * allocated for it.
   */
  int count(String field, int minElementBytes) {
    need(field, " count", 2);
    int count = in.readUnsignedShort();
    long needed = (long) count * minElementBytes;
    if (needed > remaining()) {
      throw error(
          Reason.TRUNCATED_FRAME,
          field + " count " + count + " needs at least " + needed + " bytes but "
              + remaining() + " remain in the frame");
    }
    return count;
  }

  FrameDecodingException error(Reason reason, String message) {
    return new FrameDecodingException(reason, type + " frame: " + message);
  }

  private void need(String field, long bytes) {
    need(field, "", bytes);
  }

  /** Fails unless {@code bytes} remain; the field name is only built into a message on error. */
  private void need(String field, String part, long bytes) {
    if (bytes > remaining()) {
      throw error(
          Reason.TRUNCATED_FRAME,
          field + part + " needs " + bytes + " bytes but " + remaining() + " remain in the frame");
    }
  }

  private boolean isAscii(int index, int length) {
    for (int i = index; i < index + length; i++) {
      if (in.getByte(i) < 0) {
        return false;
      }
    }
    return true;
  }

  private String decodeStrict(String field, int index, int length) {
    ByteBuffer bytes = in.nioBuffer(index, length);
    try {
      return utf8.reset().decode(bytes).toString();
    } catch (CharacterCodingException e) {
      int shown = Math.min(length, 16);
      throw error(
          Reason.INVALID_UTF8,
          field + " is not well-formed UTF-8 (first bytes 0x"
              + ByteBufUtil.hexDump(in, index, shown) + (shown < length ? "..." : "") + ")");
    }
  }
}
