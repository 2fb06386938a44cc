package dev.x0tta6bl4.mapek;

import java.util.Locale;

/**
 * Where an incident stands. {@code OPEN} waits for a plan (or, in advise mode, for an operator);
 * {@code ACTING} has an action running; {@code VERIFYING} waits for the symptoms to clear after a
 * successful action; {@code ESCALATED} gave up acting automatically and waits for the symptoms to
 * clear or for a person; {@code RESOLVED} is final.
 */
public enum IncidentState {
  OPEN,
  ACTING,
  VERIFYING,
  ESCALATED,
  RESOLVED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
