package dev.x0tta6bl4.node.transport;

import java.util.Optional;

/**
 * The answer to an indirect probe, sent as the {@code u8} outcome of a {@link
 * Frame.ProbeResult}. Codes are part of the wire format: never renumber one. An immutable
 * constant, usable from any thread.
 */
public enum ProbeOutcome {
  /** The relay reached the target and the target answered. */
  ALIVE(0),
  /** The relay has a link to the target but the target did not answer in time. */
  UNREACHABLE(1),
  /** The relay has no link to the target and cannot probe it. */
  UNKNOWN_TARGET(2);

  private static final ProbeOutcome[] BY_CODE = new ProbeOutcome[3];

  static {
    for (ProbeOutcome outcome : values()) {
      BY_CODE[outcome.code] = outcome;
    }
  }

  private final int code;

  ProbeOutcome(int code) {
    this.code = code;
  }

  /** The {@code u8} code on the wire. */
  public int code() {
    return code;
  }

  /** The outcome with this wire code, or empty if none is defined. */
  public static Optional<ProbeOutcome> fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? Optional.ofNullable(BY_CODE[code]) : Optional.empty();
  }
}
