package dev.x0tta6bl4.consensus;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The replicated state itself, free of Ratis: KV entries with versions, the member registry,
 * cluster settings and the client sessions that deduplicate retried requests. Applying the same
 * requests in the same order gives the same state on every replica (no clock, no randomness, no
 * hash-order iteration).
 *
 * <p>Not thread-safe: {@link KvStateMachine} applies on Ratis' state machine updater thread and
 * guards reads from other threads with a read-write lock.
 */
final class KvState {
  /** Client sessions remembered at most; the least recently used is forgotten first. */
  static final int MAX_SESSIONS = 4096;
  /** Results remembered per session at most. */
  static final int MAX_RESULTS_PER_SESSION = 1024;

  private final TreeMap<String, Versioned> entries = new TreeMap<>();
  private final TreeMap<String, Member> members = new TreeMap<>();
  private final TreeMap<String, String> settings = new TreeMap<>();
  private final TreeMap<UUID, Session> sessions = new TreeMap<>();
  private long revision;
  private long valueBytes;

  /** Dedup memory of one client. */
  static final class Session {
    final TreeMap<Long, List<OpResult>> results = new TreeMap<>();
    /** Every sequence number below this is either answered from {@link #results} or stale. */
    long prunedBelow = 1;
    /** Log index of the last request of this session; eviction order. */
    long lastIndex;
  }

  /** Applies a request unless it was applied before; returns one result per operation. */
  List<OpResult> apply(Request req, long logIndex) {
    Session s = sessions.get(req.clientId());
    if (s == null) {
      s = new Session();
      s.lastIndex = logIndex;
      sessions.put(req.clientId(), s);
      evictSessions();
    }
    s.lastIndex = logIndex;
    List<OpResult> cached = s.results.get(req.seq());
    if (cached != null) {
      return cached;
    }
    if (req.seq() < s.prunedBelow) {
      return Collections.nCopies(req.ops().size(), new OpResult(OpResult.Code.STALE_REQUEST, 0));
    }
    List<OpResult> results = new ArrayList<>(req.ops().size());
    for (KvOp op : req.ops()) {
      results.add(applyOp(op));
    }
    results = List.copyOf(results);
    s.results.put(req.seq(), results);
    prune(s, req.firstOutstanding());
    return results;
  }

  private static void prune(Session s, long firstOutstanding) {
    if (firstOutstanding > s.prunedBelow) {
      s.results.headMap(firstOutstanding).clear();
      s.prunedBelow = firstOutstanding;
    }
    while (s.results.size() > MAX_RESULTS_PER_SESSION) {
      long oldest = s.results.firstKey();
      s.results.remove(oldest);
      s.prunedBelow = Math.max(s.prunedBelow, oldest + 1);
    }
  }

  private void evictSessions() {
    while (sessions.size() > MAX_SESSIONS) {
      UUID victim = null;
      long oldest = Long.MAX_VALUE;
      for (Map.Entry<UUID, Session> e : sessions.entrySet()) {
        if (e.getValue().lastIndex < oldest) {
          oldest = e.getValue().lastIndex;
          victim = e.getKey();
        }
      }
      sessions.remove(victim);
    }
  }

  private OpResult applyOp(KvOp op) {
    if (op instanceof KvOp.Put p) {
      return write(p.key(), p.value());
    } else if (op instanceof KvOp.CompareAndSet c) {
      Versioned current = entries.get(c.key());
      long currentVersion = current == null ? 0 : current.version();
      if (currentVersion != c.expectedVersion()) {
        return new OpResult(OpResult.Code.CONFLICT, currentVersion);
      }
      return write(c.key(), c.value());
    } else if (op instanceof KvOp.Delete d) {
      Versioned current = entries.get(d.key());
      if (current == null) {
        return new OpResult(OpResult.Code.NOT_FOUND, 0);
      }
      if (d.expectedVersion() != 0 && d.expectedVersion() != current.version()) {
        return new OpResult(OpResult.Code.CONFLICT, current.version());
      }
      entries.remove(d.key());
      valueBytes -= current.value().length;
      revision++;
      return new OpResult(OpResult.Code.OK, current.version());
    } else if (op instanceof KvOp.PutMember m) {
      members.put(m.member().nodeId(), m.member());
      return new OpResult(OpResult.Code.OK, ++revision);
    } else if (op instanceof KvOp.RemoveMember m) {
      return members.remove(m.nodeId()) == null
          ? new OpResult(OpResult.Code.NOT_FOUND, 0)
          : new OpResult(OpResult.Code.OK, ++revision);
    } else if (op instanceof KvOp.PutSetting s) {
      settings.put(s.name(), s.value());
      return new OpResult(OpResult.Code.OK, ++revision);
    } else {
      KvOp.RemoveSetting s = (KvOp.RemoveSetting) op;
      return settings.remove(s.name()) == null
          ? new OpResult(OpResult.Code.NOT_FOUND, 0)
          : new OpResult(OpResult.Code.OK, ++revision);
    }
  }

  private OpResult write(String key, byte[] value) {
    long version = ++revision;
    Versioned old = entries.put(key, new Versioned(version, value));
    valueBytes += value.length - (old == null ? 0 : old.value().length);
    return new OpResult(OpResult.Code.OK, version);
  }

  QueryResult query(Query q) {
    if (q instanceof Query.Get g) {
      return new QueryResult.Value(Optional.ofNullable(entries.get(g.key())));
    } else if (q instanceof Query.Members) {
      return new QueryResult.Members(new ArrayList<>(members.values()));
    }
    return new QueryResult.Settings(settings);
  }

  long revision() {
    return revision;
  }

  int size() {
    return entries.size();
  }

  long valueBytes() {
    return valueBytes;
  }

  int sessionCount() {
    return sessions.size();
  }

  /** SHA-256 over the canonical snapshot encoding: equal digests mean equal state. */
  byte[] digest() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      writeTo(new java.io.DataOutputStream(new java.security.DigestOutputStream(
          java.io.OutputStream.nullOutputStream(), md)));
      return md.digest();
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot digest state", e);
    }
  }

  // ---------------------------------------------------------------- snapshot body

  /** Writes the canonical body of a snapshot (see docs/consensus.md). */
  void writeTo(DataOutput out) throws IOException {
    out.writeLong(revision);
    out.writeInt(entries.size());
    for (Map.Entry<String, Versioned> e : entries.entrySet()) {
      writeString(out, e.getKey());
      out.writeLong(e.getValue().version());
      out.writeInt(e.getValue().value().length);
      out.write(e.getValue().value());
    }
    out.writeInt(members.size());
    for (Member m : members.values()) {
      writeString(out, m.nodeId());
      writeString(out, m.spiffeId());
      out.writeInt(m.addresses().size());
      for (String a : m.addresses()) {
        writeString(out, a);
      }
      out.writeInt(m.roles().size());
      for (String r : m.roles()) {
        writeString(out, r);
      }
    }
    out.writeInt(settings.size());
    for (Map.Entry<String, String> e : settings.entrySet()) {
      writeString(out, e.getKey());
      writeString(out, e.getValue());
    }
    out.writeInt(sessions.size());
    for (Map.Entry<UUID, Session> e : sessions.entrySet()) {
      out.writeLong(e.getKey().getMostSignificantBits());
      out.writeLong(e.getKey().getLeastSignificantBits());
      Session s = e.getValue();
      out.writeLong(s.prunedBelow);
      out.writeLong(s.lastIndex);
      out.writeInt(s.results.size());
      for (Map.Entry<Long, List<OpResult>> r : s.results.entrySet()) {
        out.writeLong(r.getKey());
        out.writeInt(r.getValue().size());
        for (OpResult result : r.getValue()) {
          out.writeByte(result.code().wire);
          out.writeLong(result.version());
        }
      }
    }
  }

  /**
   * Reads a body written by {@link #writeTo}. Every count and length is checked against its limit
   * before anything is allocated; the caller verifies the checksum before using the result.
   */
  static KvState readFrom(DataInput in) throws IOException {
    KvState s = new KvState();
    s.revision = nonNegative(in.readLong(), "revision");
    int n = count(in.readInt(), Integer.MAX_VALUE, "entry count");
    String previous = null;
    for (int i = 0; i < n; i++) {
      String key = readString(in, Limits.MAX_KEY_BYTES, "key");
      if (previous != null && previous.compareTo(key) >= 0) {
        throw new IOException("snapshot keys out of order at '" + key + "'");
      }
      previous = key;
      long version = nonNegative(in.readLong(), "version");
      if (version > s.revision) {
        throw new IOException("key '" + key + "' has version " + version + " above revision "
            + s.revision);
      }
      byte[] value = new byte[count(in.readInt(), Limits.MAX_VALUE_BYTES, "value length")];
      in.readFully(value);
      s.entries.put(key, new Versioned(version, value));
      s.valueBytes += value.length;
    }
    int nm = count(in.readInt(), Limits.MAX_MEMBERS, "member count");
    for (int i = 0; i < nm; i++) {
      String id = readString(in, Limits.MAX_ID_BYTES, "node id");
      String spiffe = readString(in, Limits.MAX_SPIFFE_BYTES, "spiffe id");
      int na = count(in.readInt(), Limits.MAX_ADDRESSES, "address count");
      List<String> addresses = new ArrayList<>(na);
      for (int j = 0; j < na; j++) {
        addresses.add(readString(in, Limits.MAX_ADDRESS_BYTES, "address"));
      }
      int nr = count(in.readInt(), Limits.MAX_ROLES, "role count");
      Set<String> roles = new LinkedHashSet<>();
      for (int j = 0; j < nr; j++) {
        roles.add(readString(in, Limits.MAX_ROLE_BYTES, "role"));
      }
      s.members.put(id, checked(() -> new Member(id, spiffe, addresses, roles)));
    }
    int ns = count(in.readInt(), Limits.MAX_SETTINGS, "setting count");
    for (int i = 0; i < ns; i++) {
      s.settings.put(readString(in, Limits.MAX_SETTING_NAME_BYTES, "setting name"),
          readString(in, Limits.MAX_SETTING_VALUE_BYTES, "setting value"));
    }
    int nsess = count(in.readInt(), MAX_SESSIONS, "session count");
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < nsess; i++) {
      UUID id = new UUID(in.readLong(), in.readLong());
      if (!seen.add(id)) {
        throw new IOException("duplicate session " + id);
      }
      Session session = new Session();
      session.prunedBelow = nonNegative(in.readLong(), "prunedBelow");
      session.lastIndex = in.readLong();
      int nres = count(in.readInt(), MAX_RESULTS_PER_SESSION, "result count");
      for (int j = 0; j < nres; j++) {
        long seq = in.readLong();
        int k = count(in.readInt(), Limits.MAX_OPS_PER_REQUEST, "result size");
        List<OpResult> results = new ArrayList<>(Math.min(k, 64));
        for (int m = 0; m < k; m++) {
          int code = in.readUnsignedByte();
          long version = in.readLong();
          results.add(checked(() -> new OpResult(OpResult.Code.fromWire(code), version)));
        }
        session.results.put(seq, List.copyOf(results));
      }
      s.sessions.put(id, session);
    }
    return s;
  }

  private interface Maker<T> {
    T make();
  }

  private static <T> T checked(Maker<T> maker) throws IOException {
    try {
      return maker.make();
    } catch (RuntimeException e) {
      throw new IOException("invalid snapshot record: " + e.getMessage(), e);
    }
  }

  private static long nonNegative(long v, String what) throws IOException {
    if (v < 0) {
      throw new IOException(what + " is negative: " + v);
    }
    return v;
  }

  private static int count(int n, int max, String what) throws IOException {
    if (n < 0 || n > max) {
      throw new IOException(what + " " + n + " outside [0, " + max + "]");
    }
    return n;
  }

  private static void writeString(DataOutput out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInput in, int max, String what) throws IOException {
    byte[] b = new byte[count(in.readInt(), max, what + " length")];
    in.readFully(b);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new IOException(what + " is not well-formed UTF-8", e);
    }
  }

  /** For tests: the keys in order. */
  Iterator<String> keys() {
    return Collections.unmodifiableSet(entries.keySet()).iterator();
  }
}
