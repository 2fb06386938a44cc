package dev.x0tta6bl4.node.api;

import dev.x0tta6bl4.mapek.IncidentView;
import java.util.List;

/**
 * What {@code GET /v1/incidents} reads: the self-healing loop's mode and its incidents. Called on
 * event loops, so both must return published values without blocking.
 */
public interface IncidentSource {
  /** {@code auto}, {@code advise} or {@code off}. */
  String mode();

  /** Open incidents first, then resolved ones, newest last. */
  List<IncidentView> incidents();

  /** A node whose loop is off: no incidents. */
  static IncidentSource off() {
    return new IncidentSource() {
      @Override
      public String mode() {
        return "off";
      }

      @Override
      public List<IncidentView> incidents() {
        return List.of();
      }
    };
  }
}
