package dev.x0tta6bl4.mapek;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable, append-only incident journal: a directory of segment files
 * {@code incidents-<16-digit sequence>.journal}, each holding
 *
 * <pre>
 * +---------+-----------------------------------------------------------+
 * | "MKJ1"  | record | record | ...                                     |
 * +---------+-----------------------------------------------------------+
 * record: +----------------+----------------+---------------------------+
 *         | length (int32) | CRC32C (int32) | payload (length bytes)    |
 *         +----------------+----------------+---------------------------+
 * payload: type byte, then the fields of {@link JournalRecord}, big-endian
 * </pre>
 *
 * <p>When the active segment would pass {@code segmentBytes}, a new one is started and the oldest
 * segments beyond {@code maxSegments} are deleted, so the journal is bounded by about
 * {@code segmentBytes * maxSegments}. On open, every segment is read in order; a torn or corrupt
 * record (short header, impossible length, short payload, bad checksum, undecodable payload) is
 * reported as {@link JournalDamage} and the segment is truncated at that record, so a crash in the
 * middle of a write never prevents the next start.
 *
 * <p>Appended by the control loop's thread; {@link #append} is synchronized so another thread may
 * also write. Whoever opened it closes it.
 */
public final class IncidentJournal implements AutoCloseable {
  /** Largest accepted record payload; a larger length in a file means corruption. */
  public static final int MAX_RECORD_BYTES = 1 << 20;
  static final int MAGIC = 0x4D4B4A31;
  static final int SEGMENT_HEADER_BYTES = 4;
  static final int FRAME_HEADER_BYTES = 8;
  private static final Pattern SEGMENT = Pattern.compile("incidents-(\\d{16})\\.journal");
  private static final Logger log = LoggerFactory.getLogger(IncidentJournal.class);

  private final Path dir;
  private final long segmentBytes;
  private final int maxSegments;
  private final boolean fsync;
  private final List<Path> segments;
  private FileChannel active;
  private long activeSize;
  private long nextSequence;
  private boolean closed;

  /** The journal opened for appending, with everything it held and any damage found. */
  public record Loaded(IncidentJournal journal, List<JournalRecord> records, List<JournalDamage> damage) {
    public Loaded {
      records = List.copyOf(records);
      damage = List.copyOf(damage);
    }
  }

  private IncidentJournal(Path dir, long segmentBytes, int maxSegments, boolean fsync,
      List<Path> segments) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.maxSegments = maxSegments;
    this.fsync = fsync;
    this.segments = segments;
  }

  /**
   * Opens (creating if needed) the journal in {@code dir}, reading and repairing what is there.
   *
   * @param segmentBytes size at which a segment is sealed and a new one started (at least 256)
   * @param maxSegments how many segments are kept (at least 2)
   * @param fsync whether each append is forced to disk before it returns
   */
  public static Loaded open(Path dir, long segmentBytes, int maxSegments, boolean fsync) {
    if (segmentBytes < 256) {
      throw new MapekException("journal segment-bytes must be at least 256, got " + segmentBytes);
    }
    if (maxSegments < 2) {
      throw new MapekException("journal max-segments must be at least 2, got " + maxSegments);
    }
    try {
      Files.createDirectories(dir);
      List<Path> found = listSegments(dir);
      IncidentJournal journal = new IncidentJournal(dir, segmentBytes, maxSegments, fsync, found);
      List<JournalRecord> records = new ArrayList<>();
      List<JournalDamage> damage = new ArrayList<>();
      for (Path segment : found) {
        readSegment(segment, records, damage);
      }
      journal.openActive();
      for (JournalDamage d : damage) {
        log.warn("incident journal damaged, truncated: {}", d);
      }
      return new Loaded(journal, records, damage);
    } catch (IOException e) {
      throw new MapekException("cannot open incident journal in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Appends one record, rotating first when it would not fit in the active segment. */
  public synchronized void append(JournalRecord record) {
    if (closed) {
      throw new MapekException("incident journal in " + dir + " is closed");
    }
    byte[] payload = JournalRecord.encode(record);
    long frame = FRAME_HEADER_BYTES + (long) payload.length;
    if (payload.length > MAX_RECORD_BYTES || SEGMENT_HEADER_BYTES + frame > segmentBytes) {
      throw new MapekException("journal record of " + payload.length
          + " bytes does not fit a segment of " + segmentBytes + " bytes");
    }
    try {
      if (activeSize + frame > segmentBytes && activeSize > SEGMENT_HEADER_BYTES) {
        rotate();
      }
      CRC32C crc = new CRC32C();
      crc.update(payload);
      ByteBuffer buf = ByteBuffer.allocate((int) frame);
      buf.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
      while (buf.hasRemaining()) {
        active.write(buf);
      }
      if (fsync) {
        active.force(false);
      }
      activeSize += frame;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to incident journal " + dir, e);
    }
  }

  /** Bytes held by all segments. */
  public synchronized long sizeBytes() {
    long total = 0;
    for (Path p : segments) {
      try {
        total += Files.size(p);
      } catch (IOException e) {
        log.debug("journal segment {} vanished while sizing", p, e);
      }
    }
    return total;
  }

  /** The segment files, oldest first. */
  public synchronized List<Path> segments() {
    return List.copyOf(segments);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      active.close();
    } catch (IOException e) {
      log.warn("closing incident journal {} failed", dir, e);
    }
  }

  private void openActive() throws IOException {
    if (segments.isEmpty()) {
      nextSequence = 1;
      startSegment();
      return;
    }
    Path last = segments.get(segments.size() - 1);
    nextSequence = sequenceOf(last) + 1;
    active = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    activeSize = active.size();
  }

  private void rotate() throws IOException {
    active.close();
    startSegment();
    while (segments.size() > maxSegments) {
      Path oldest = segments.remove(0);
      Files.deleteIfExists(oldest);
      log.info("incident journal rotated, deleted {}", oldest.getFileName());
    }
  }

  private void startSegment() throws IOException {
    Path path = dir.resolve(String.format("incidents-%016d.journal", nextSequence++));
    active = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER_BYTES).putInt(MAGIC).flip();
    while (header.hasRemaining()) {
      active.write(header);
    }
    if (fsync) {
      active.force(true);
    }
    activeSize = SEGMENT_HEADER_BYTES;
    segments.add(path);
  }

  private static List<Path> listSegments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return new ArrayList<>(files.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches())
          .sorted()
          .toList());
    }
  }

  private static long sequenceOf(Path segment) {
    Matcher m = SEGMENT.matcher(segment.getFileName().toString());
    if (!m.matches()) {
      throw new MapekException("not a journal segment: " + segment);
    }
    return Long.parseLong(m.group(1));
  }

  private static void readSegment(Path segment, List<JournalRecord> records,
      List<JournalDamage> damage) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(segment));
    int size = buf.limit();
    if (size < SEGMENT_HEADER_BYTES || buf.getInt(0) != MAGIC) {
      damage.add(new JournalDamage(segment, 0, size, "missing or wrong segment header"));
      try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
        ch.truncate(0);
        ch.write(ByteBuffer.allocate(SEGMENT_HEADER_BYTES).putInt(MAGIC).flip());
        ch.force(true);
      }
      return;
    }
    int pos = SEGMENT_HEADER_BYTES;
    while (pos < size) {
      String problem = null;
      if (size - pos < FRAME_HEADER_BYTES) {
        problem = "torn record header";
      } else {
        int length = buf.getInt(pos);
        int storedCrc = buf.getInt(pos + 4);
        if (length <= 0 || length > MAX_RECORD_BYTES) {
          problem = "impossible record length " + length;
        } else if (size - pos - FRAME_HEADER_BYTES < length) {
          problem = "torn record: " + length + " bytes announced, "
              + (size - pos - FRAME_HEADER_BYTES) + " present";
        } else {
          byte[] payload = new byte[length];
          buf.get(pos + FRAME_HEADER_BYTES, payload);
          CRC32C crc = new CRC32C();
          crc.update(payload);
          if ((int) crc.getValue() != storedCrc) {
            problem = "checksum mismatch";
          } else {
            try {
              records.add(JournalRecord.decode(payload));
              pos += FRAME_HEADER_BYTES + length;
              continue;
            } catch (MapekException e) {
              problem = e.getMessage();
            }
          }
        }
      }
      damage.add(new JournalDamage(segment, pos, size - pos, problem));
      try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
        ch.truncate(pos);
        ch.force(true);
      }
      return;
    }
  }

  @Override
  public String toString() {
    return "IncidentJournal{dir=" + dir + ", segments=" + segments.size() + '}';
  }
}
