package dev.x0tta6bl4.mapek;

/**
 * How an action ended for knowledge: only {@link #VERIFIED} (it ran and the symptoms then
 * cleared) counts as a success.
 */
public enum Outcome {
  VERIFIED,
  FAILED,
  TIMED_OUT,
  NOT_VERIFIED;

  public boolean success() {
    return this == VERIFIED;
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
