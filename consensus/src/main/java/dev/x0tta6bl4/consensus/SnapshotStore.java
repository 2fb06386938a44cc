package dev.x0tta6bl4.consensus;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot files of the KV state machine in Ratis' state machine directory
 * ({@code <storage>/<group>/sm/}), one file per snapshot named {@code snapshot.<term>_<index>}:
 *
 * <pre>
 * offset size
 *      0    8  magic "MESHSNAP"
 *      8    4  format version (1)
 *     12    8  term
 *     20    8  index (last log index included)
 *     28    8  creation time, epoch milliseconds
 *     36    8  body length N
 *     44    4  CRC32C of bytes [0, 44)
 *     48    N  body ({@link KvState#writeTo})
 *   48+N    4  CRC32C of the body
 *   52+N    4  end magic "SEND"
 * </pre>
 *
 * <p>Writes go to {@code <name>.tmp}, are forced to disk, renamed atomically and the directory
 * is forced, so a crash leaves either the old set of snapshots or the new one. Loading checks
 * the size, magic, version, name against header, every bound of the body and the checksum; a
 * file that fails is renamed to {@code <name>.corrupt}, counted and logged, and the next older
 * snapshot is tried. Files installed from the leader arrive through Ratis under the same name and
 * are checked the same way.
 *
 * <p>Called from Ratis' state machine updater thread (write, load, cleanup) and read from any
 * thread ({@link #getLatestSnapshot}); the latest snapshot is published through a volatile.
 */
final class SnapshotStore implements StateMachineStorage {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
  static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
  private static final long MAGIC = 0x4D455348534E4150L; // "MESHSNAP"
  private static final int END_MAGIC = 0x53454E44; // "SEND"
  static final int FORMAT = 1;
  static final int HEADER_BYTES = 48;
  static final int TRAILER_BYTES = 8;

  private final Clock clock;
  private final RaftMetrics metrics;
  private volatile Path dir;
  private volatile Path tmpDir;
  private volatile Snapshot latest;

  /** A valid snapshot on disk. */
  record Snapshot(SingleFileSnapshotInfo info, long createdMillis, long sizeBytes) {
    long index() {
      return info.getIndex();
    }
  }

  /** A snapshot read back from disk together with its state. */
  record Loaded(Snapshot snapshot, KvState state) {}

  SnapshotStore(Clock clock, RaftMetrics metrics) {
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public void init(RaftStorage storage) throws IOException {
    dir = storage.getStorageDir().getStateMachineDir().toPath();
    tmpDir = storage.getStorageDir().getTmpDir().toPath();
    Files.createDirectories(dir);
  }

  /** For tests and tools: a store over a plain directory. */
  void initDirectory(Path smDir) throws IOException {
    dir = smDir;
    tmpDir = smDir.resolveSibling("tmp");
    Files.createDirectories(dir);
  }

  Path directory() {
    return dir;
  }

  @Override
  public SingleFileSnapshotInfo getLatestSnapshot() {
    Snapshot s = latest;
    return s == null ? null : s.info();
  }

  Optional<Snapshot> latest() {
    return Optional.ofNullable(latest);
  }

  @Override
  public void format() {
    // Nothing to format: the directory is created by Ratis, files appear with the first snapshot.
  }

  @Override
  public java.io.File getSnapshotDir() {
    return dir == null ? null : dir.toFile();
  }

  @Override
  public java.io.File getTmpDir() {
    return tmpDir == null ? null : tmpDir.toFile();
  }

  static String fileName(long term, long index) {
    return "snapshot." + term + "_" + index;
  }

  /** Writes {@code state} as the snapshot at {@code ti}; atomically, durably. */
  Snapshot write(TermIndex ti, KvState state) throws IOException {
    Path target = dir.resolve(fileName(ti.getTerm(), ti.getIndex()));
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    long created = clock.millis();
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ch.position(HEADER_BYTES);
      CRC32C bodyCrc = new CRC32C();
      CountingOutputStream counting = new CountingOutputStream(
          new CheckedOutputStream(Channels.newOutputStream(ch), bodyCrc));
      DataOutputStream body = new DataOutputStream(new BufferedOutputStream(counting, 1 << 16));
      state.writeTo(body);
      body.flush(); // not close: that would close the channel
      long bodyLength = counting.count;
      ch.write(header(ti, created, bodyLength), 0);
      ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES);
      trailer.putInt((int) bodyCrc.getValue()).putInt(END_MAGIC).flip();
      ch.write(trailer, HEADER_BYTES + bodyLength);
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(dir);
    long size = Files.size(target);
    Snapshot s = new Snapshot(info(target, ti), created, size);
    latest = s;
    return s;
  }

  private static ByteBuffer header(TermIndex ti, long created, long bodyLength) {
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
    h.putLong(MAGIC).putInt(FORMAT).putLong(ti.getTerm()).putLong(ti.getIndex())
        .putLong(created).putLong(bodyLength);
    CRC32C crc = new CRC32C();
    crc.update(h.array(), 0, HEADER_BYTES - 4);
    h.putInt((int) crc.getValue()).flip();
    return h;
  }

  private static SingleFileSnapshotInfo info(Path file, TermIndex ti) {
    // No digest: Ratis computes the MD5 of the file while streaming it to a follower.
    return new SingleFileSnapshotInfo(new FileInfo(file, null), ti.getTerm(), ti.getIndex());
  }

  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Finds the newest snapshot that verifies, quarantining every newer one that does not, and
   * returns it with its state; empty when no valid snapshot exists.
   */
  Optional<Loaded> loadLatestValid() throws IOException {
    latest = null;
    for (Candidate c : candidates()) {
      try {
        Parsed parsed = parse(c.path, c.ti);
        Snapshot s = new Snapshot(info(c.path, c.ti), parsed.createdMillis(), Files.size(c.path));
        latest = s;
        return Optional.of(new Loaded(s, parsed.state()));
      } catch (IOException e) {
        quarantine(c.path, e);
      }
    }
    return Optional.empty();
  }

  private record Candidate(Path path, TermIndex ti) {}

  private List<Candidate> candidates() throws IOException {
    List<Candidate> list = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path p : files) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches() && Files.isRegularFile(p)) {
          try {
            list.add(new Candidate(p,
                TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))));
          } catch (NumberFormatException e) {
            LOG.warn("ignoring snapshot file with an out-of-range name: {}", p);
          }
        }
      }
    }
    list.sort(Comparator.comparingLong((Candidate c) -> c.ti.getIndex()).reversed());
    return list;
  }

  private record Parsed(KvState state, long createdMillis) {}

  /** Reads and fully verifies one snapshot file. */
  private Parsed parse(Path file, TermIndex expected) throws IOException {
    long size = Files.size(file);
    if (size < HEADER_BYTES + TRAILER_BYTES) {
      throw new IOException("truncated: " + size + " bytes, smaller than header and trailer");
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      byte[] headerBytes = raw.readNBytes(HEADER_BYTES);
      ByteBuffer h = ByteBuffer.wrap(headerBytes);
      if (h.getLong() != MAGIC) {
        throw new IOException("bad magic: not a meshd snapshot");
      }
      CRC32C headerCrc = new CRC32C();
      headerCrc.update(headerBytes, 0, HEADER_BYTES - 4);
      if (h.getInt(HEADER_BYTES - 4) != (int) headerCrc.getValue()) {
        throw new IOException("header checksum mismatch");
      }
      int format = h.getInt();
      if (format != FORMAT) {
        throw new IOException("unsupported snapshot format " + format + ", expected " + FORMAT);
      }
      long term = h.getLong();
      long index = h.getLong();
      if (term != expected.getTerm() || index != expected.getIndex()) {
        throw new IOException("header says term " + term + " index " + index
            + " but the file name says " + expected);
      }
      long created = h.getLong();
      long bodyLength = h.getLong();
      if (bodyLength != size - HEADER_BYTES - TRAILER_BYTES) {
        throw new IOException("truncated or padded: body length " + bodyLength + " but file has "
            + (size - HEADER_BYTES - TRAILER_BYTES) + " body bytes");
      }
      CRC32C crc = new CRC32C();
      CheckedInputStream checked = new CheckedInputStream(
          new LimitedInputStream(raw, bodyLength), crc);
      DataInputStream in = new DataInputStream(checked);
      KvState state = KvState.readFrom(in);
      if (checked.read() >= 0) {
        throw new IOException("body has bytes after the state");
      }
      DataInputStream trailer = new DataInputStream(raw);
      int stored = trailer.readInt();
      if (stored != (int) crc.getValue()) {
        throw new IOException(String.format("checksum mismatch: stored CRC32C %08x, computed %08x",
            stored, (int) crc.getValue()));
      }
      if (trailer.readInt() != END_MAGIC) {
        throw new IOException("bad end magic");
      }
      return new Parsed(state, created);
    } catch (EOFException e) {
      throw new IOException("truncated: body ends early", e);
    }
  }

  private void quarantine(Path file, IOException why) {
    metrics.snapshotsCorrupt.increment();
    Path corrupt = file.resolveSibling(file.getFileName() + ".corrupt");
    LOG.error("snapshot {} is corrupt and will not be loaded ({}); moved to {}", file,
        why.getMessage(), corrupt.getFileName());
    try {
      Files.move(file, corrupt, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory(dir);
    } catch (IOException e) {
      LOG.error("could not quarantine corrupt snapshot {}; it stays in place but is skipped",
          file, e);
    }
  }

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    int keep = policy == null ? -1 : policy.getNumSnapshotsRetained();
    if (keep <= 0 || dir == null) {
      return;
    }
    List<Candidate> all = candidates();
    for (Candidate c : all.subList(Math.min(keep, all.size()), all.size())) {
      LOG.info("deleting old snapshot {} (retention keeps {})", c.path.getFileName(), keep);
      Files.deleteIfExists(c.path);
      // Ratis writes an .md5 beside files it installs from the leader.
      Files.deleteIfExists(c.path.resolveSibling(c.path.getFileName() + ".md5"));
    }
  }

  /** Reads at most {@code limit} bytes of the underlying stream, without closing it. */
  private static final class LimitedInputStream extends java.io.FilterInputStream {
    private long left;

    LimitedInputStream(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }

  /** Counts bytes written through it. */
  private static final class CountingOutputStream extends java.io.FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
