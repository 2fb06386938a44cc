package dev.x0tta6bl4.node.delivery;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Strict binary encodings of the delivery message bodies (the frame layer adds its own length
 * prefix and type byte). Big-endian; strings are ASCII with a one-byte length; every length is
 * checked against its cap before anything is allocated; a body must be consumed exactly.
 *
 * <pre>
 * DataMessage v1                      DataAck v1                    BroadcastMessage v1
 * u8  version = 1                     u8  version = 1               u8  version = 1
 * u8  flags = 0                       u8  flags = 0                 u8  flags = 0
 * u8  n, n bytes  source  (1..63)     u8  n, acker   (1..63)        u8  n, origin (1..63)
 * u8  n, n bytes  destination (1..63) u8  n, target  (1..63)        u64 boot     (&gt; 0)
 * u64 boot       (&gt; 0)                u64 boot    (&gt; 0)             u64 sequence (&gt; 0)
 * u64 sequence   (&gt; 0)                u8  ttl     (1..255)          u8  ttl      (1..255)
 * u8  ttl        (1..255)             u16 ranges  (1..256)          u8  n, topic       (0..64)
 * u8  n, topic        (0..64)         per range:                    u8  n, traceparent (0|55..128)
 * u8  n, traceparent  (0 | 55..128)     u64 first (&gt; 0)              u32 n, payload (0..max)
 * u32 n, payload (0..max payload)       u32 count (1..16384)
 * </pre>
 *
 * <p>Decoders throw only {@link DeliveryCodecException}. Stateless apart from the payload cap
 * and a small cache of recently decoded strings (which only saves allocations); any thread.
 */
public final class DeliveryCodec {
  /** Version byte of every body this codec writes and reads. */
  public static final int VERSION = 1;

  private static final int DATA_FIXED = 1 + 1 + 1 + 1 + 8 + 8 + 1 + 1 + 1 + 4;
  private static final int ACK_FIXED = 1 + 1 + 1 + 1 + 8 + 1 + 2;
  private static final int ACK_RANGE = 8 + 4;
  private static final int BROADCAST_FIXED = 1 + 1 + 1 + 8 + 8 + 1 + 1 + 1 + 4;
  private static final int RECENT_BITS = 5;
  private static final int RECENT = 1 << RECENT_BITS;
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private final int maxPayloadBytes;
  /**
   * Strings decoded lately (node ids, topics), reused when the same bytes come again: the same
   * few ids arrive with every message, and reusing one instance saves the copy and lets maps
   * keyed by it use the cached hash. Entries are immutable strings, so unsynchronized access from
   * several threads at worst misses.
   */
  private final String[] recent = new String[RECENT];

  /** A codec that accepts payloads of up to {@code maxPayloadBytes} (0..16 MiB). */
  public DeliveryCodec(int maxPayloadBytes) {
    if (maxPayloadBytes < 0 || maxPayloadBytes > DeliverySettings.PAYLOAD_LIMIT) {
      throw new DeliveryException("maxPayloadBytes " + maxPayloadBytes
          + " is out of range; allowed: 0.." + DeliverySettings.PAYLOAD_LIMIT);
    }
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /** The payload cap of this codec. */
  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  // ---- DataMessage

  /** Bytes {@link #encode(DataMessage, ByteBuffer)} writes. */
  public int encodedSize(DataMessage m) {
    return DATA_FIXED + m.source().length() + m.destination().length() + m.topic().length()
        + m.traceparent().length() + m.payload().length;
  }

  /** The body of {@code m}. */
  public byte[] encode(DataMessage m) {
    checkPayload(m.payload().length);
    byte[] body = new byte[encodedSize(m)];
    write(m, body, 0);
    return body;
  }

  /**
   * Writes the body of {@code m} at {@code out}'s position; throws {@link DeliveryException} when
   * the payload is over this codec's cap or {@code out} has too little room.
   */
  public void encode(DataMessage m, ByteBuffer out) {
    checkPayload(m.payload().length);
    int size = encodedSize(m);
    ensureRoom(out, size);
    if (out.hasArray()) {
      write(m, out.array(), out.arrayOffset() + out.position());
      out.position(out.position() + size);
    } else {
      byte[] body = new byte[size];
      write(m, body, 0);
      out.put(body);
    }
  }

  /**
   * The one writer of the data layout, straight into an array: this runs once per message and
   * per hop, and a {@code ByteBuffer} costs a bounds and state check per byte.
   */
  private static void write(DataMessage m, byte[] b, int at) {
    b[at++] = (byte) VERSION;
    b[at++] = 0;
    at = putShort(b, at, m.source());
    at = putShort(b, at, m.destination());
    LONG.set(b, at, m.id().boot());
    LONG.set(b, at + 8, m.id().sequence());
    at += 16;
    b[at++] = (byte) m.ttl();
    at = putShort(b, at, m.topic());
    at = putShort(b, at, m.traceparent());
    byte[] payload = m.payload();
    INT.set(b, at, payload.length);
    System.arraycopy(payload, 0, b, at + 4, payload.length);
  }

  /** Decodes a whole body (all remaining bytes of {@code body}). */
  public DataMessage decodeData(ByteBuffer body) {
    Reader r = new Reader(body, "data message", recent);
    r.header();
    String source = r.nodeId("source");
    String destination = r.nodeId("destination");
    long boot = r.positiveLong("boot");
    long sequence = r.positiveLong("sequence");
    int ttl = r.ttl();
    String topic = r.shortString("topic", Fields.MAX_TOPIC);
    String traceparent = r.shortString("traceparent", Fields.MAX_TRACEPARENT);
    byte[] payload = r.payload(maxPayloadBytes);
    r.end();
    try {
      return new DataMessage(
          new MessageId(source, destination, boot, sequence), ttl, topic, traceparent, payload);
    } catch (DeliveryCodecException e) {
      throw e;
    } catch (DeliveryException e) {
      throw new DeliveryCodecException("data message: " + e.getMessage());
    }
  }

  /** Decodes a whole body. */
  public DataMessage decodeData(byte[] body) {
    return decodeData(ByteBuffer.wrap(body));
  }

  // ---- DataAck

  /** Bytes {@link #encode(DataAck, ByteBuffer)} writes. */
  public int encodedSize(DataAck a) {
    return ACK_FIXED + a.acker().length() + a.target().length() + a.rangeCount() * ACK_RANGE;
  }

  /** The body of {@code a}. */
  public byte[] encode(DataAck a) {
    ByteBuffer b = ByteBuffer.allocate(encodedSize(a));
    encode(a, b);
    return b.array();
  }

  /** Writes the body of {@code a} at {@code out}'s position. */
  public void encode(DataAck a, ByteBuffer out) {
    ensureRoom(out, encodedSize(a));
    out.put((byte) VERSION).put((byte) 0);
    putShort(out, a.acker());
    putShort(out, a.target());
    out.putLong(a.boot()).put((byte) a.ttl()).putShort((short) a.rangeCount());
    for (int i = 0; i < a.rangeCount(); i++) {
      out.putLong(a.rangeFirst(i)).putInt((int) (a.rangeLast(i) - a.rangeFirst(i) + 1));
    }
  }

  /** Decodes a whole body. */
  public DataAck decodeAck(ByteBuffer body) {
    Reader r = new Reader(body, "ack", recent);
    r.header();
    String acker = r.nodeId("acker");
    String target = r.nodeId("target");
    long boot = r.positiveLong("boot");
    int ttl = r.ttl();
    int count = r.u16("range count");
    if (count < 1 || count > DataAck.MAX_RANGES) {
      throw r.fail("range count " + count + " is out of range; allowed: 1.." + DataAck.MAX_RANGES);
    }
    r.need(count * ACK_RANGE, "ranges");
    long[] ranges = new long[2 * count];
    for (int i = 0; i < count; i++) {
      long first = r.positiveLong("range first");
      long length = Integer.toUnsignedLong(r.buffer.getInt());
      if (length < 1 || length > DataAck.MAX_RANGE_LENGTH || first > Long.MAX_VALUE - length) {
        throw r.fail("range length " + length + " at " + first + " is invalid; allowed: 1.."
            + DataAck.MAX_RANGE_LENGTH + " without overflow");
      }
      ranges[2 * i] = first;
      ranges[2 * i + 1] = first + length - 1;
    }
    r.end();
    try {
      return new DataAck(acker, target, boot, ttl, ranges);
    } catch (DeliveryCodecException e) {
      throw e;
    } catch (DeliveryException e) {
      throw new DeliveryCodecException("ack: " + e.getMessage());
    }
  }

  /** Decodes a whole body. */
  public DataAck decodeAck(byte[] body) {
    return decodeAck(ByteBuffer.wrap(body));
  }

  // ---- BroadcastMessage

  /** Bytes {@link #encode(BroadcastMessage, ByteBuffer)} writes. */
  public int encodedSize(BroadcastMessage m) {
    return BROADCAST_FIXED + m.origin().length() + m.topic().length() + m.traceparent().length()
        + m.payload().length;
  }

  /** The body of {@code m}. */
  public byte[] encode(BroadcastMessage m) {
    ByteBuffer b = ByteBuffer.allocate(encodedSize(m));
    encode(m, b);
    return b.array();
  }

  /** Writes the body of {@code m} at {@code out}'s position. */
  public void encode(BroadcastMessage m, ByteBuffer out) {
    checkPayload(m.payload().length);
    ensureRoom(out, encodedSize(m));
    out.put((byte) VERSION).put((byte) 0);
    putShort(out, m.origin());
    out.putLong(m.id().boot()).putLong(m.sequence()).put((byte) m.ttl());
    putShort(out, m.topic());
    putShort(out, m.traceparent());
    out.putInt(m.payload().length).put(m.payload());
  }

  /** Decodes a whole body. */
  public BroadcastMessage decodeBroadcast(ByteBuffer body) {
    Reader r = new Reader(body, "broadcast", recent);
    r.header();
    String origin = r.nodeId("origin");
    long boot = r.positiveLong("boot");
    long sequence = r.positiveLong("sequence");
    int ttl = r.ttl();
    String topic = r.shortString("topic", Fields.MAX_TOPIC);
    String traceparent = r.shortString("traceparent", Fields.MAX_TRACEPARENT);
    byte[] payload = r.payload(maxPayloadBytes);
    r.end();
    try {
      return new BroadcastMessage(
          new BroadcastId(origin, boot, sequence), ttl, topic, traceparent, payload);
    } catch (DeliveryCodecException e) {
      throw e;
    } catch (DeliveryException e) {
      throw new DeliveryCodecException("broadcast: " + e.getMessage());
    }
  }

  /** Decodes a whole body. */
  public BroadcastMessage decodeBroadcast(byte[] body) {
    return decodeBroadcast(ByteBuffer.wrap(body));
  }

  // ---- helpers

  private void checkPayload(int length) {
    if (length > maxPayloadBytes) {
      throw new DeliveryException("payload of " + length + " bytes is too large; allowed: 0.."
          + maxPayloadBytes);
    }
  }

  private static void ensureRoom(ByteBuffer out, int size) {
    if (out.remaining() < size) {
      throw new DeliveryException("buffer has " + out.remaining() + " bytes left; expected at least "
          + size);
    }
  }

  /** Writes an ASCII string of at most 255 characters with a one-byte length; returns the end. */
  private static int putShort(byte[] b, int at, String s) {
    int n = s.length();
    b[at++] = (byte) n;
    for (int i = 0; i < n; i++) {
      b[at + i] = (byte) s.charAt(i);
    }
    return at + n;
  }

  /** Writes an ASCII string of at most 255 characters with a one-byte length. */
  private static void putShort(ByteBuffer out, String s) {
    int n = s.length();
    out.put((byte) n);
    for (int i = 0; i < n; i++) {
      out.put((byte) s.charAt(i));
    }
  }

  /** Bounds-checked reads that fail with {@link DeliveryCodecException}. */
  private static final class Reader {
    final ByteBuffer buffer;
    private final String what;
    private final String[] recent;

    Reader(ByteBuffer body, String what, String[] recent) {
      if (body == null) {
        throw new DeliveryCodecException(what + ": body is null");
      }
      this.buffer = body;
      this.what = what;
      this.recent = recent;
    }

    DeliveryCodecException fail(String problem) {
      return new DeliveryCodecException(what + ": " + problem);
    }

    void need(int n, String field) {
      if (buffer.remaining() < n) {
        throw fail(field + " needs " + n + " bytes but " + buffer.remaining() + " remain");
      }
    }

    void header() {
      need(2, "header");
      int version = buffer.get() & 0xff;
      if (version != VERSION) {
        throw fail("version " + version + " is not supported; expected " + VERSION);
      }
      int flags = buffer.get() & 0xff;
      if (flags != 0) {
        throw fail("flags " + flags + " are not supported; expected 0");
      }
    }

    int u16(String field) {
      need(2, field);
      return buffer.getShort() & 0xffff;
    }

    long positiveLong(String field) {
      need(8, field);
      long v = buffer.getLong();
      if (v <= 0) {
        throw fail(field + " " + Long.toUnsignedString(v) + " is out of range; allowed: 1.."
            + Long.MAX_VALUE);
      }
      return v;
    }

    int ttl() {
      need(1, "ttl");
      int ttl = buffer.get() & 0xff;
      if (ttl == 0) {
        throw fail("ttl 0 is out of range; allowed: 1..255");
      }
      return ttl;
    }

    String nodeId(String field) {
      String s = shortString(field, Fields.MAX_NODE_ID);
      if (s.isEmpty()) {
        throw fail(field + " is empty; allowed: " + Fields.NODE_ID_ALLOWED);
      }
      return s;
    }

    String shortString(String field, int max) {
      need(1, field + " length");
      int n = buffer.get() & 0xff;
      if (n > max) {
        throw fail(field + " length " + n + " is over its cap; allowed: 0.." + max);
      }
      need(n, field);
      int start = buffer.position();
      byte[] bytes;
      int offset;
      if (buffer.hasArray()) {
        bytes = buffer.array();
        offset = buffer.arrayOffset() + start;
      } else {
        bytes = new byte[n];
        buffer.get(start, bytes);
        offset = 0;
      }
      int hash = 0;
      for (int i = 0; i < n; i++) {
        byte b = bytes[offset + i];
        if (b < 0x21 || b > 0x7e) {
          throw fail(field + " has byte 0x" + Integer.toHexString(b & 0xff)
              + "; allowed: printable ASCII without spaces");
        }
        hash = 31 * hash + b;
      }
      buffer.position(start + n);
      // Two candidate slots, so that two busy strings that share a slot do not evict each other.
      int slot = (hash * 0x9E3779B9) >>> (32 - RECENT_BITS);
      String cached = recent[slot];
      if (cached != null && sameAscii(cached, bytes, offset, n)) {
        return cached;
      }
      String other = recent[slot ^ 1];
      if (other != null && sameAscii(other, bytes, offset, n)) {
        return other;
      }
      String s = new String(bytes, offset, n, StandardCharsets.US_ASCII);
      recent[cached == null || other != null ? slot : slot ^ 1] = s;
      return s;
    }

    private static boolean sameAscii(String s, byte[] bytes, int offset, int n) {
      if (s.length() != n) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (s.charAt(i) != bytes[offset + i]) {
          return false;
        }
      }
      return true;
    }

    byte[] payload(int max) {
      need(4, "payload length");
      long n = Integer.toUnsignedLong(buffer.getInt());
      if (n > max) {
        throw fail("payload length " + n + " is over its cap; allowed: 0.." + max);
      }
      need((int) n, "payload");
      byte[] payload = new byte[(int) n];
      buffer.get(payload);
      return payload;
    }

    void end() {
      if (buffer.hasRemaining()) {
        throw fail(buffer.remaining() + " trailing bytes; expected none");
      }
    }
  }
}
