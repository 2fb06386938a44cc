package dev.x0tta6bl4.mapek;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncidentJournalTest {
  private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");

  @TempDir
  Path dir;

  private static JournalRecord.ActionOutcome outcome(long id, Outcome o) {
    return new JournalRecord.ActionOutcome(id, "link-lossy", "peer-" + id, "reroute", "peer-" + id,
        o, T0.plusSeconds(id), new float[] {id, 0.5f, -1f});
  }

  private static JournalRecord.IncidentClosed closed(long id) {
    return new JournalRecord.IncidentClosed(id, "node-suspect", "n" + id, T0, T0.plusMillis(250),
        T0.plusSeconds(2), "resolved by reroute/n" + id,
        List.of(new TimelineEvent(T0.plusMillis(250), TimelineEvent.Type.DETECTED, "3 links"),
            new TimelineEvent(T0.plusSeconds(2), TimelineEvent.Type.RESOLVED, "ok")));
  }

  private IncidentJournal.Loaded open() {
    return IncidentJournal.open(dir, 64 * 1024, 4, false);
  }

  @Test
  void append_thenReopen_returnsEveryRecordInOrder() {
    try (IncidentJournal j = open().journal()) {
      j.append(outcome(1, Outcome.VERIFIED));
      j.append(closed(1));
      j.append(outcome(2, Outcome.TIMED_OUT));
      j.append(new JournalRecord.ActionStarted(3, "reroute", "peer-3", T0.plusSeconds(3)));
    }
    IncidentJournal.Loaded loaded = open();
    loaded.journal().close();
    assertThat(loaded.damage()).isEmpty();
    assertThat(loaded.records()).hasSize(4);
    assertThat(loaded.records().get(3))
        .isEqualTo(new JournalRecord.ActionStarted(3, "reroute", "peer-3", T0.plusSeconds(3)));
    JournalRecord.ActionOutcome first = (JournalRecord.ActionOutcome) loaded.records().get(0);
    assertThat(first.features()).containsExactly(1f, 0.5f, -1f);
    assertThat(first.outcome()).isEqualTo(Outcome.VERIFIED);
    assertThat(loaded.records().get(1)).isEqualTo(closed(1));
    assertThat(((JournalRecord.ActionOutcome) loaded.records().get(2)).outcome())
        .isEqualTo(Outcome.TIMED_OUT);
  }

  @Test
  void open_tornTail_reportsTruncatesAndKeepsWorking() throws IOException {
    Path segment;
    try (IncidentJournal j = open().journal()) {
      j.append(outcome(1, Outcome.VERIFIED));
      j.append(outcome(2, Outcome.FAILED));
      segment = j.segments().get(0);
    }
    long intact = Files.size(segment);
    // a crash half-way through the third record: its header and a few payload bytes
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(intact);
      f.writeInt(60);
      f.writeInt(12345);
      f.write(new byte[] {1, 2, 3});
    }
    IncidentJournal.Loaded loaded = open();
    assertThat(loaded.records()).hasSize(2);
    assertThat(loaded.damage()).singleElement().satisfies(d -> {
      assertThat(d.offset()).isEqualTo(intact);
      assertThat(d.droppedBytes()).isEqualTo(11);
      assertThat(d.reason()).contains("torn record");
    });
    assertThat(Files.size(segment)).isEqualTo(intact);
    loaded.journal().append(outcome(3, Outcome.VERIFIED));
    loaded.journal().close();

    IncidentJournal.Loaded again = open();
    again.journal().close();
    assertThat(again.damage()).isEmpty();
    assertThat(again.records()).extracting(JournalRecord::incidentId).containsExactly(1L, 2L, 3L);
  }

  @Test
  void open_flippedByteInLastRecord_checksumMismatchTruncated() throws IOException {
    Path segment;
    long afterFirst;
    try (IncidentJournal j = open().journal()) {
      j.append(outcome(1, Outcome.VERIFIED));
      segment = j.segments().get(0);
      afterFirst = Files.size(segment);
      j.append(outcome(2, Outcome.VERIFIED));
    }
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(afterFirst + 20);
      int b = f.read();
      f.seek(afterFirst + 20);
      f.write(b ^ 0x40);
    }
    IncidentJournal.Loaded loaded = open();
    loaded.journal().close();
    assertThat(loaded.records()).extracting(JournalRecord::incidentId).containsExactly(1L);
    assertThat(loaded.damage()).singleElement()
        .satisfies(d -> assertThat(d.reason()).isEqualTo("checksum mismatch"));
  }

  @Test
  void open_garbageLengthOrHeader_reportedNeverThrown() throws IOException {
    Path segment;
    try (IncidentJournal j = open().journal()) {
      j.append(outcome(1, Outcome.VERIFIED));
      segment = j.segments().get(0);
    }
    Files.write(segment, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0},
        java.nio.file.StandardOpenOption.APPEND);
    IncidentJournal.Loaded loaded = open();
    loaded.journal().close();
    assertThat(loaded.records()).hasSize(1);
    assertThat(loaded.damage()).singleElement()
        .satisfies(d -> assertThat(d.reason()).isEqualTo("impossible record length -1"));

    Files.write(segment, new byte[] {'n', 'o', 'p', 'e', 1, 2, 3});
    IncidentJournal.Loaded wrongHeader = open();
    assertThat(wrongHeader.records()).isEmpty();
    assertThat(wrongHeader.damage()).singleElement()
        .satisfies(d -> assertThat(d.reason()).contains("segment header"));
    wrongHeader.journal().append(outcome(7, Outcome.VERIFIED));
    wrongHeader.journal().close();
    IncidentJournal.Loaded repaired = open();
    repaired.journal().close();
    assertThat(repaired.records()).extracting(JournalRecord::incidentId).containsExactly(7L);
  }

  @Test
  void append_pastSegmentSize_rotatesAndKeepsAtMostMaxSegments() {
    List<Long> written = new ArrayList<>();
    try (IncidentJournal j = IncidentJournal.open(dir, 1024, 3, false).journal()) {
      for (long i = 1; i <= 100; i++) {
        j.append(outcome(i, Outcome.VERIFIED));
        written.add(i);
      }
      assertThat(j.segments()).hasSize(3);
      assertThat(j.sizeBytes()).isLessThanOrEqualTo(3 * 1024);
    }
    IncidentJournal.Loaded loaded = IncidentJournal.open(dir, 1024, 3, false);
    loaded.journal().close();
    List<Long> kept = loaded.records().stream().map(JournalRecord::incidentId).toList();
    assertThat(kept).isNotEmpty().isEqualTo(written.subList(100 - kept.size(), 100));
    assertThat(kept.size()).isLessThan(100);
    assertThat(loaded.damage()).isEmpty();
  }

  @Test
  void open_badArguments_namedInErrors() {
    assertThatThrownBy(() -> IncidentJournal.open(dir, 10, 3, false))
        .hasMessageContaining("segment-bytes must be at least 256, got 10");
    assertThatThrownBy(() -> IncidentJournal.open(dir, 1024, 1, false))
        .hasMessageContaining("max-segments must be at least 2, got 1");
  }
}
