package dev.x0tta6bl4.mapek;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the incident journal stores: the outcome of each action (the statistics and the recall
 * index are rebuilt from these), each closed incident with its timeline (for "recent incidents"
 * after a restart), and each action start (so cooldowns and the rate limit hold across a
 * restart). The binary encoding is versioned by the record type byte.
 */
public sealed interface JournalRecord permits JournalRecord.ActionOutcome,
    JournalRecord.IncidentClosed, JournalRecord.ActionStarted {
  byte TYPE_ACTION_OUTCOME = 1;
  byte TYPE_INCIDENT_CLOSED = 2;
  byte TYPE_ACTION_STARTED = 3;

  long incidentId();

  /** An action ran for an incident and ended this way. */
  record ActionOutcome(long incidentId, String incidentKind, String incidentSubject,
      String actionKind, String actionSubject, Outcome outcome, Instant at, float[] features)
      implements JournalRecord {
    public ActionOutcome {
      Objects.requireNonNull(incidentKind, "incidentKind");
      Objects.requireNonNull(incidentSubject, "incidentSubject");
      Objects.requireNonNull(actionKind, "actionKind");
      Objects.requireNonNull(actionSubject, "actionSubject");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(at, "at");
      features = features.clone();
    }
  }

  /** An incident was resolved; {@code resolution} says how. */
  record IncidentClosed(long incidentId, String kind, String subject, Instant firstSeen,
      Instant detectedAt, Instant resolvedAt, String resolution, List<TimelineEvent> timeline)
      implements JournalRecord {
    public IncidentClosed {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(firstSeen, "firstSeen");
      Objects.requireNonNull(detectedAt, "detectedAt");
      Objects.requireNonNull(resolvedAt, "resolvedAt");
      Objects.requireNonNull(resolution, "resolution");
      timeline = List.copyOf(timeline);
    }
  }

  /** An action started for an incident (journaled before it runs). */
  record ActionStarted(long incidentId, String actionKind, String actionSubject, Instant at)
      implements JournalRecord {
    public ActionStarted {
      Objects.requireNonNull(actionKind, "actionKind");
      Objects.requireNonNull(actionSubject, "actionSubject");
      Objects.requireNonNull(at, "at");
    }

    /** The planner's key of the action ({@link Action#key()}). */
    public String actionKey() {
      return actionKind + '/' + actionSubject;
    }
  }

  /** Encodes a record as a journal payload (type byte first). */
  static byte[] encode(JournalRecord record) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      if (record instanceof ActionOutcome a) {
        out.writeByte(TYPE_ACTION_OUTCOME);
        out.writeLong(a.incidentId());
        out.writeUTF(a.incidentKind());
        out.writeUTF(a.incidentSubject());
        out.writeUTF(a.actionKind());
        out.writeUTF(a.actionSubject());
        out.writeByte(a.outcome().ordinal());
        writeInstant(out, a.at());
        out.writeShort(a.features().length);
        for (float f : a.features()) {
          out.writeFloat(f);
        }
      } else if (record instanceof IncidentClosed c) {
        out.writeByte(TYPE_INCIDENT_CLOSED);
        out.writeLong(c.incidentId());
        out.writeUTF(c.kind());
        out.writeUTF(c.subject());
        writeInstant(out, c.firstSeen());
        writeInstant(out, c.detectedAt());
        writeInstant(out, c.resolvedAt());
        out.writeUTF(c.resolution());
        out.writeShort(c.timeline().size());
        for (TimelineEvent e : c.timeline()) {
          writeInstant(out, e.at());
          out.writeByte(e.type().ordinal());
          out.writeUTF(truncate(e.detail()));
        }
      } else if (record instanceof ActionStarted a) {
        out.writeByte(TYPE_ACTION_STARTED);
        out.writeLong(a.incidentId());
        out.writeUTF(a.actionKind());
        out.writeUTF(a.actionSubject());
        writeInstant(out, a.at());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Decodes a payload; throws {@link MapekException} naming what is malformed. */
  static JournalRecord decode(byte[] payload) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      byte type = in.readByte();
      JournalRecord record;
      if (type == TYPE_ACTION_OUTCOME) {
        long id = in.readLong();
        String kind = in.readUTF();
        String subject = in.readUTF();
        String actionKind = in.readUTF();
        String actionSubject = in.readUTF();
        Outcome outcome = enumAt(Outcome.values(), in.readByte(), "outcome");
        Instant at = readInstant(in);
        float[] features = new float[in.readUnsignedShort()];
        for (int i = 0; i < features.length; i++) {
          features[i] = in.readFloat();
        }
        record = new ActionOutcome(id, kind, subject, actionKind, actionSubject, outcome, at, features);
      } else if (type == TYPE_INCIDENT_CLOSED) {
        long id = in.readLong();
        String kind = in.readUTF();
        String subject = in.readUTF();
        Instant first = readInstant(in);
        Instant detected = readInstant(in);
        Instant resolved = readInstant(in);
        String resolution = in.readUTF();
        int n = in.readUnsignedShort();
        List<TimelineEvent> timeline = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          Instant at = readInstant(in);
          TimelineEvent.Type t = enumAt(TimelineEvent.Type.values(), in.readByte(), "timeline type");
          timeline.add(new TimelineEvent(at, t, in.readUTF()));
        }
        record = new IncidentClosed(id, kind, subject, first, detected, resolved, resolution, timeline);
      } else if (type == TYPE_ACTION_STARTED) {
        long id = in.readLong();
        String actionKind = in.readUTF();
        String actionSubject = in.readUTF();
        record = new ActionStarted(id, actionKind, actionSubject, readInstant(in));
      } else {
        throw new MapekException("unknown journal record type " + type);
      }
      if (in.available() > 0) {
        throw new MapekException(in.available() + " unexpected trailing bytes in journal record");
      }
      return record;
    } catch (IOException e) {
      throw new MapekException("malformed journal record: " + e, e);
    }
  }

  private static <E extends Enum<E>> E enumAt(E[] values, int ordinal, String what) {
    if (ordinal < 0 || ordinal >= values.length) {
      throw new MapekException("journal record has unknown " + what + " " + ordinal);
    }
    return values[ordinal];
  }

  private static void writeInstant(DataOutputStream out, Instant at) throws IOException {
    out.writeLong(at.getEpochSecond());
    out.writeInt(at.getNano());
  }

  private static Instant readInstant(DataInputStream in) throws IOException {
    return Instant.ofEpochSecond(in.readLong(), in.readInt());
  }

  private static String truncate(String s) {
    return s.length() > 1024 ? s.substring(0, 1024) : s;
  }
}
