package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.node.routing.LinkStateAdvert;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a node tells its other neighbours when it quarantines a peer: the payload of the signed
 * envelope carried by a {@code QUARANTINE_NOTICE} frame (see {@link QuarantineNotices}; the
 * envelope names the reporting node, its sequence and its wall-clock time).
 *
 * <pre>
 * +---------+--------+------------+-----------------+--------------+-----------+
 * | version | reason | accusedLen | accused         | periodMillis | evidence  |
 * | u8 = 1  | u8     | u16 1-63   | UTF-8 node id   | u32 >= 1     | u32       |
 * +---------+--------+------------+-----------------+--------------+-----------+
 * </pre>
 *
 * Big-endian; nothing may follow {@code evidence}. The accused follows the node id rules of
 * {@link LinkStateAdvert#isValidNodeId}. A period of 0 is reserved (a future "lift" notice) and
 * rejected in version 1: a report ends when its period runs out. Decoding throws only {@link
 * QuarantineNoticeException}, naming the field.
 *
 * @param accused the quarantined peer's node id
 * @param reason why it was quarantined
 * @param period how long the reporter refuses it, 1 ms to 2^32-1 ms
 * @param evidence how many offences the reporter counted (e.g. forged adverts), 0 to 2^32-1
 */
public record QuarantineNotice(String accused, Reason reason, Duration period, long evidence) {
  /** Format version written by this class. */
  public static final int VERSION = 1;
  /** Largest encoded notice. */
  public static final int MAX_ENCODED_BYTES = 1 + 1 + 2 + LinkStateAdvert.MAX_NODE_ID_LENGTH + 4 + 4;
  private static final long MAX_U32 = 0xFFFF_FFFFL;

  /** Why the reporter quarantined the accused; the wire code is stable. */
  public enum Reason {
    /** The peer relayed adverts whose origin signature failed, forged origins or malformed. */
    RELAYED_BAD_SIGNATURES(1),
    /** The peer sent undecodable or out-of-protocol frames, again after being cut off. */
    MALFORMED_FRAMES(2);

    private final int code;

    Reason(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    /** Lower-kebab name for logs and incident evidence. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<Reason> fromCode(int code) {
      for (Reason r : values()) {
        if (r.code == code) {
          return Optional.of(r);
        }
      }
      return Optional.empty();
    }
  }

  /** @throws QuarantineNoticeException if a field is out of range, naming it */
  public QuarantineNotice {
    if (!LinkStateAdvert.isValidNodeId(accused)) {
      throw new QuarantineNoticeException("accused '" + accused + "' is not a node id; expected 1-"
          + LinkStateAdvert.MAX_NODE_ID_LENGTH + " characters of [a-z0-9._-], starting and ending"
          + " with [a-z0-9]");
    }
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(period, "period");
    if (period.toMillis() < 1 || period.toMillis() > MAX_U32) {
      throw new QuarantineNoticeException(
          "period " + period + " is outside [1 ms, " + MAX_U32 + " ms]");
    }
    if (evidence < 0 || evidence > MAX_U32) {
      throw new QuarantineNoticeException("evidence " + evidence + " is outside [0, " + MAX_U32 + "]");
    }
  }

  /** The wire form (see the class comment). */
  public byte[] encode() {
    byte[] id = accused.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + 1 + 2 + id.length + 4 + 4)
        .put((byte) VERSION).put((byte) reason.code()).putShort((short) id.length).put(id)
        .putInt((int) period.toMillis()).putInt((int) evidence).array();
  }

  /**
   * Decodes a notice, checking every field against its bounds and the bytes left.
   *
   * @throws QuarantineNoticeException for any malformed input (the only exception)
   */
  public static QuarantineNotice decode(byte[] wire) {
    if (wire == null) {
      throw new QuarantineNoticeException("quarantine notice is null");
    }
    if (wire.length > MAX_ENCODED_BYTES) {
      throw new QuarantineNoticeException(
          "quarantine notice is " + wire.length + " bytes; at most " + MAX_ENCODED_BYTES);
    }
    ByteBuffer in = ByteBuffer.wrap(wire);
    need(in, 1 + 1 + 2, "version, reason and accused length");
    int version = in.get() & 0xFF;
    if (version != VERSION) {
      throw new QuarantineNoticeException(
          "quarantine notice version " + version + " is unknown; expected " + VERSION);
    }
    int code = in.get() & 0xFF;
    Reason reason = Reason.fromCode(code).orElseThrow(() -> new QuarantineNoticeException(
        "reason code " + code + " is unknown; expected 1 (relayed-bad-signatures) or 2"
        + " (malformed-frames)"));
    int idLength = in.getShort() & 0xFFFF;
    if (idLength < 1 || idLength > LinkStateAdvert.MAX_NODE_ID_LENGTH) {
      throw new QuarantineNoticeException("accused length " + idLength + " is outside [1, "
          + LinkStateAdvert.MAX_NODE_ID_LENGTH + "]");
    }
    need(in, idLength, "accused");
    String accused;
    try {
      accused = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(wire, in.position(), idLength)).toString();
    } catch (CharacterCodingException e) {
      throw new QuarantineNoticeException("accused is not valid UTF-8: " + e.getMessage(), e);
    }
    in.position(in.position() + idLength);
    need(in, 4 + 4, "period and evidence");
    long periodMillis = in.getInt() & MAX_U32;
    if (periodMillis == 0) {
      throw new QuarantineNoticeException(
          "period 0 is reserved (lift) and not accepted in version " + VERSION);
    }
    long evidence = in.getInt() & MAX_U32;
    if (in.hasRemaining()) {
      throw new QuarantineNoticeException(in.remaining() + " bytes follow the evidence count");
    }
    return new QuarantineNotice(accused, reason, Duration.ofMillis(periodMillis), evidence);
  }

  private static void need(ByteBuffer in, int bytes, String what) {
    if (in.remaining() < bytes) {
      throw new QuarantineNoticeException("quarantine notice ends before " + what + ": " + bytes
          + " bytes needed, " + in.remaining() + " left");
    }
  }
}
