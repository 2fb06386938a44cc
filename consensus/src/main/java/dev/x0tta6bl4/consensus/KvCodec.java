package dev.x0tta6bl4.consensus;

import dev.x0tta6bl4.consensus.MalformedCommandException.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Binary encoding (format version 1) of requests, queries and their results. Every message
 * starts with the version byte and a type byte; integers are unsigned LEB128 varints in shortest
 * form; strings are a varint byte length followed by well-formed UTF-8; byte strings likewise.
 *
 * <pre>
 * request  = 0x01 0x01 client-id(16, big-endian UUID) seq firstOutstanding count op{count}
 * op       = 0x01 PUT key bytes | 0x02 CAS key expected bytes | 0x03 DELETE key expected
 *          | 0x04 PUT_MEMBER member | 0x05 REMOVE_MEMBER id | 0x06 PUT_SETTING name value
 *          | 0x07 REMOVE_SETTING name
 * member   = id spiffe count address{count} count role{count}
 * results  = 0x01 0x03 count (code(1) version){count}
 * query    = 0x01 0x02 (0x01 key | 0x02 | 0x03)
 * answer   = 0x01 0x04 (0x01 found(1) [version bytes] | 0x02 count member{count}
 *          | 0x03 count (name value){count})
 * </pre>
 *
 * <p>The decoder is strict: it checks every length and count against its limit and against the
 * bytes that remain <em>before</em> allocating, rejects unknown tags, non-canonical varints,
 * malformed UTF-8 and trailing bytes, and reports each case as a
 * {@link MalformedCommandException} with a {@link Reason}. Stateless and thread-safe.
 */
final class KvCodec {
  static final int VERSION = 1;
  static final int TYPE_REQUEST = 1;
  static final int TYPE_QUERY = 2;
  static final int TYPE_RESULTS = 3;
  static final int TYPE_ANSWER = 4;

  private static final int OP_PUT = 1;
  private static final int OP_CAS = 2;
  private static final int OP_DELETE = 3;
  private static final int OP_PUT_MEMBER = 4;
  private static final int OP_REMOVE_MEMBER = 5;
  private static final int OP_PUT_SETTING = 6;
  private static final int OP_REMOVE_SETTING = 7;

  private static final int Q_GET = 1;
  private static final int Q_MEMBERS = 2;
  private static final int Q_SETTINGS = 3;

  private KvCodec() {}

  // ---------------------------------------------------------------- encoding

  static byte[] encodeRequest(Request r) {
    Writer w = new Writer(64);
    w.header(TYPE_REQUEST);
    w.u64(r.clientId().getMostSignificantBits());
    w.u64(r.clientId().getLeastSignificantBits());
    w.varint(r.seq());
    w.varint(r.firstOutstanding());
    w.varint(r.ops().size());
    for (KvOp op : r.ops()) {
      encodeOp(w, op);
    }
    return w.toByteArray();
  }

  private static void encodeOp(Writer w, KvOp op) {
    if (op instanceof KvOp.Put p) {
      w.u8(OP_PUT).string(p.key()).bytes(p.value());
    } else if (op instanceof KvOp.CompareAndSet c) {
      w.u8(OP_CAS).string(c.key()).varint(c.expectedVersion()).bytes(c.value());
    } else if (op instanceof KvOp.Delete d) {
      w.u8(OP_DELETE).string(d.key()).varint(d.expectedVersion());
    } else if (op instanceof KvOp.PutMember m) {
      w.u8(OP_PUT_MEMBER);
      encodeMember(w, m.member());
    } else if (op instanceof KvOp.RemoveMember m) {
      w.u8(OP_REMOVE_MEMBER).string(m.nodeId());
    } else if (op instanceof KvOp.PutSetting s) {
      w.u8(OP_PUT_SETTING).string(s.name()).string(s.value());
    } else if (op instanceof KvOp.RemoveSetting s) {
      w.u8(OP_REMOVE_SETTING).string(s.name());
    } else {
      throw new IllegalArgumentException("unknown operation " + op);
    }
  }

  static void encodeMember(Writer w, Member m) {
    w.string(m.nodeId()).string(m.spiffeId());
    w.varint(m.addresses().size());
    for (String a : m.addresses()) {
      w.string(a);
    }
    w.varint(m.roles().size());
    for (String r : m.roles()) {
      w.string(r);
    }
  }

  static byte[] encodeResults(List<OpResult> results) {
    Writer w = new Writer(4 + results.size() * 4);
    w.header(TYPE_RESULTS);
    w.varint(results.size());
    for (OpResult r : results) {
      w.u8(r.code().wire).varint(r.version());
    }
    return w.toByteArray();
  }

  static byte[] encodeQuery(Query q) {
    Writer w = new Writer(16);
    w.header(TYPE_QUERY);
    if (q instanceof Query.Get g) {
      w.u8(Q_GET).string(g.key());
    } else if (q instanceof Query.Members) {
      w.u8(Q_MEMBERS);
    } else {
      w.u8(Q_SETTINGS);
    }
    return w.toByteArray();
  }

  static byte[] encodeAnswer(QueryResult a) {
    Writer w = new Writer(32);
    w.header(TYPE_ANSWER);
    if (a instanceof QueryResult.Value v) {
      w.u8(Q_GET);
      if (v.value().isPresent()) {
        w.u8(1).varint(v.value().get().version()).bytes(v.value().get().value());
      } else {
        w.u8(0);
      }
    } else if (a instanceof QueryResult.Members m) {
      w.u8(Q_MEMBERS).varint(m.members().size());
      for (Member member : m.members()) {
        encodeMember(w, member);
      }
    } else {
      QueryResult.Settings s = (QueryResult.Settings) a;
      w.u8(Q_SETTINGS).varint(s.settings().size());
      for (Map.Entry<String, String> e : s.settings().entrySet()) {
        w.string(e.getKey()).string(e.getValue());
      }
    }
    return w.toByteArray();
  }

  // ---------------------------------------------------------------- decoding

  static Request decodeRequest(ByteBuffer buf) {
    try {
      return decodeRequest0(buf);
    } catch (IllegalArgumentException e) {
      throw new MalformedCommandException(Reason.BAD_VALUE, e.getMessage());
    }
  }

  private static Request decodeRequest0(ByteBuffer buf) {
    Reader r = new Reader(buf);
    r.header(TYPE_REQUEST);
    UUID client = new UUID(r.u64(), r.u64());
    long seq = r.varint();
    long firstOutstanding = r.varint();
    if (seq < 1 || firstOutstanding < 1 || firstOutstanding > seq) {
      throw new MalformedCommandException(Reason.BAD_VALUE,
          "seq " + seq + " / firstOutstanding " + firstOutstanding + " out of range");
    }
    int count = r.count(1, Limits.MAX_OPS_PER_REQUEST, 2, "operation count");
    List<KvOp> ops = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ops.add(decodeOp(r));
    }
    r.end();
    return new Request(client, seq, firstOutstanding, ops);
  }

  private static KvOp decodeOp(Reader r) {
    int tag = r.u8();
    switch (tag) {
      case OP_PUT:
        return new KvOp.Put(r.string(Limits.MAX_KEY_BYTES, false, "key"),
            r.bytes(Limits.MAX_VALUE_BYTES, "value"));
      case OP_CAS: {
        String key = r.string(Limits.MAX_KEY_BYTES, false, "key");
        long expected = r.varint();
        return new KvOp.CompareAndSet(key, expected, r.bytes(Limits.MAX_VALUE_BYTES, "value"));
      }
      case OP_DELETE:
        return new KvOp.Delete(r.string(Limits.MAX_KEY_BYTES, false, "key"), r.varint());
      case OP_PUT_MEMBER:
        return new KvOp.PutMember(decodeMember(r));
      case OP_REMOVE_MEMBER:
        return new KvOp.RemoveMember(r.string(Limits.MAX_ID_BYTES, false, "node id"));
      case OP_PUT_SETTING:
        return new KvOp.PutSetting(r.string(Limits.MAX_SETTING_NAME_BYTES, false, "setting name"),
            r.string(Limits.MAX_SETTING_VALUE_BYTES, true, "setting value"));
      case OP_REMOVE_SETTING:
        return new KvOp.RemoveSetting(
            r.string(Limits.MAX_SETTING_NAME_BYTES, false, "setting name"));
      default:
        throw new MalformedCommandException(Reason.UNKNOWN_TAG, "unknown operation tag " + tag);
    }
  }

  static Member decodeMember(Reader r) {
    String id = r.string(Limits.MAX_ID_BYTES, false, "node id");
    String spiffe = r.string(Limits.MAX_SPIFFE_BYTES, false, "spiffe id");
    int na = r.count(0, Limits.MAX_ADDRESSES, 2, "address count");
    List<String> addresses = new ArrayList<>(na);
    for (int i = 0; i < na; i++) {
      addresses.add(r.string(Limits.MAX_ADDRESS_BYTES, false, "address"));
    }
    int nr = r.count(0, Limits.MAX_ROLES, 2, "role count");
    Set<String> roles = new LinkedHashSet<>();
    String previous = null;
    for (int i = 0; i < nr; i++) {
      String role = r.string(Limits.MAX_ROLE_BYTES, false, "role");
      if (previous != null && previous.compareTo(role) >= 0) {
        throw new MalformedCommandException(Reason.BAD_VALUE,
            "roles must be sorted and distinct, got '" + previous + "' before '" + role + "'");
      }
      previous = role;
      roles.add(role);
    }
    return new Member(id, spiffe, addresses, roles);
  }

  static List<OpResult> decodeResults(ByteBuffer buf) {
    try {
      return decodeResults0(buf);
    } catch (IllegalArgumentException e) {
      throw new MalformedCommandException(Reason.BAD_VALUE, e.getMessage());
    }
  }

  private static List<OpResult> decodeResults0(ByteBuffer buf) {
    Reader r = new Reader(buf);
    r.header(TYPE_RESULTS);
    int count = r.count(0, Limits.MAX_OPS_PER_REQUEST, 2, "result count");
    List<OpResult> results = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      results.add(new OpResult(OpResult.Code.fromWire(r.u8()), r.varint()));
    }
    r.end();
    return results;
  }

  static Query decodeQuery(ByteBuffer buf) {
    try {
      return decodeQuery0(buf);
    } catch (IllegalArgumentException e) {
      throw new MalformedCommandException(Reason.BAD_VALUE, e.getMessage());
    }
  }

  private static Query decodeQuery0(ByteBuffer buf) {
    Reader r = new Reader(buf);
    r.header(TYPE_QUERY);
    int tag = r.u8();
    Query q;
    switch (tag) {
      case Q_GET:
        q = new Query.Get(r.string(Limits.MAX_KEY_BYTES, false, "key"));
        break;
      case Q_MEMBERS:
        q = new Query.Members();
        break;
      case Q_SETTINGS:
        q = new Query.Settings();
        break;
      default:
        throw new MalformedCommandException(Reason.UNKNOWN_TAG, "unknown query tag " + tag);
    }
    r.end();
    return q;
  }

  static QueryResult decodeAnswer(ByteBuffer buf) {
    try {
      return decodeAnswer0(buf);
    } catch (IllegalArgumentException e) {
      throw new MalformedCommandException(Reason.BAD_VALUE, e.getMessage());
    }
  }

  private static QueryResult decodeAnswer0(ByteBuffer buf) {
    Reader r = new Reader(buf);
    r.header(TYPE_ANSWER);
    int tag = r.u8();
    QueryResult a;
    switch (tag) {
      case Q_GET: {
        int found = r.u8();
        if (found == 0) {
          a = new QueryResult.Value(Optional.empty());
        } else if (found == 1) {
          long version = r.varint();
          a = new QueryResult.Value(
              Optional.of(new Versioned(version, r.bytes(Limits.MAX_VALUE_BYTES, "value"))));
        } else {
          throw new MalformedCommandException(Reason.BAD_VALUE, "found flag " + found);
        }
        break;
      }
      case Q_MEMBERS: {
        int n = r.count(0, Limits.MAX_MEMBERS, 4, "member count");
        List<Member> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          members.add(decodeMember(r));
        }
        a = new QueryResult.Members(members);
        break;
      }
      case Q_SETTINGS: {
        int n = r.count(0, Limits.MAX_SETTINGS, 2, "setting count");
        Map<String, String> settings = new TreeMap<>();
        for (int i = 0; i < n; i++) {
          settings.put(r.string(Limits.MAX_SETTING_NAME_BYTES, false, "setting name"),
              r.string(Limits.MAX_SETTING_VALUE_BYTES, true, "setting value"));
        }
        a = new QueryResult.Settings(settings);
        break;
      }
      default:
        throw new MalformedCommandException(Reason.UNKNOWN_TAG, "unknown answer tag " + tag);
    }
    r.end();
    return a;
  }

  // ---------------------------------------------------------------- primitives

  /** Growable big-endian writer. Not thread-safe. */
  static final class Writer {
    private byte[] buf;
    private int pos;

    Writer(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int n) {
      if (pos + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
      }
    }

    Writer header(int type) {
      return u8(VERSION).u8(type);
    }

    Writer u8(int b) {
      ensure(1);
      buf[pos++] = (byte) b;
      return this;
    }

    Writer u64(long v) {
      ensure(8);
      for (int i = 7; i >= 0; i--) {
        buf[pos++] = (byte) (v >>> (8 * i));
      }
      return this;
    }

    Writer varint(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("varint must be >= 0, got " + v);
      }
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
      return this;
    }

    Writer bytes(byte[] b) {
      varint(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, pos, b.length);
      pos += b.length;
      return this;
    }

    Writer string(String s) {
      return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, pos);
    }
  }

  /** Strict reader over a buffer; consumes it. Not thread-safe. */
  static final class Reader {
    private final ByteBuffer buf;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);

    Reader(ByteBuffer buf) {
      this.buf = buf.slice();
    }

    void header(int expectedType) {
      int version = u8();
      if (version != VERSION) {
        throw new MalformedCommandException(Reason.UNSUPPORTED_VERSION,
            "format version " + version + ", this build reads " + VERSION);
      }
      int type = u8();
      if (type != expectedType) {
        throw new MalformedCommandException(Reason.UNKNOWN_TAG,
            "message type " + type + ", expected " + expectedType);
      }
    }

    private void need(int n, String what) {
      if (buf.remaining() < n) {
        throw new MalformedCommandException(Reason.TRUNCATED,
            what + " needs " + n + " bytes, " + buf.remaining() + " remain");
      }
    }

    int u8() {
      need(1, "byte");
      return buf.get() & 0xFF;
    }

    long u64() {
      need(8, "64-bit field");
      return buf.getLong();
    }

    long varint() {
      long v = 0;
      for (int i = 0; i < 10; i++) {
        need(1, "varint");
        int b = buf.get() & 0xFF;
        if (i == 9 && b > 1) {
          throw new MalformedCommandException(Reason.BAD_VARINT, "varint overflows 63 bits");
        }
        v |= (long) (b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0) {
          if (b == 0 && i > 0) {
            throw new MalformedCommandException(Reason.BAD_VARINT, "varint not in shortest form");
          }
          if (v < 0) {
            throw new MalformedCommandException(Reason.BAD_VARINT, "varint overflows 63 bits");
          }
          return v;
        }
      }
      throw new MalformedCommandException(Reason.BAD_VARINT, "varint longer than 10 bytes");
    }

    /** A count whose elements take at least {@code minElementBytes} each. */
    int count(int min, int max, int minElementBytes, String what) {
      long n = varint();
      if (n < min || n > max) {
        throw new MalformedCommandException(Reason.OUT_OF_BOUNDS,
            what + " " + n + " outside [" + min + ", " + max + "]");
      }
      if (n * minElementBytes > buf.remaining()) {
        throw new MalformedCommandException(Reason.OUT_OF_BOUNDS,
            what + " " + n + " cannot fit in the " + buf.remaining() + " remaining bytes");
      }
      return (int) n;
    }

    private int length(int max, String what) {
      long n = varint();
      if (n > max) {
        throw new MalformedCommandException(Reason.OUT_OF_BOUNDS,
            what + " length " + n + " exceeds limit " + max);
      }
      if (n > buf.remaining()) {
        throw new MalformedCommandException(Reason.TRUNCATED,
            what + " length " + n + " exceeds the " + buf.remaining() + " remaining bytes");
      }
      return (int) n;
    }

    byte[] bytes(int max, String what) {
      byte[] b = new byte[length(max, what)];
      buf.get(b);
      return b;
    }

    String string(int max, boolean emptyOk, String what) {
      int n = length(max, what);
      if (n == 0 && !emptyOk) {
        throw new MalformedCommandException(Reason.BAD_STRING, what + " is empty");
      }
      ByteBuffer slice = buf.slice();
      slice.limit(n);
      buf.position(buf.position() + n);
      try {
        CharBuffer chars = utf8.reset().decode(slice);
        return chars.toString();
      } catch (CharacterCodingException e) {
        throw new MalformedCommandException(Reason.BAD_STRING, what + " is not well-formed UTF-8");
      }
    }

    void end() {
      if (buf.hasRemaining()) {
        throw new MalformedCommandException(Reason.TRAILING_BYTES,
            buf.remaining() + " bytes after the message");
      }
    }
  }
}
