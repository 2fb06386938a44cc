package dev.x0tta6bl4.mapek;

import java.util.Map;
import java.util.Objects;

/**
 * A remedy to run: its kind names the actuator (e.g. {@code drop-link}), its subject what it acts
 * on (e.g. a peer id). Parameters are free-form strings for the actuator.
 */
public record Action(String kind, String subject, Map<String, String> params) {
  public Action {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    params = Map.copyOf(params);
  }

  public static Action of(String kind, String subject) {
    return new Action(kind, subject, Map.of());
  }

  /** {@code kind/subject}: the key for cooldowns and conflicts. */
  public String key() {
    return kind + '/' + subject;
  }
}
