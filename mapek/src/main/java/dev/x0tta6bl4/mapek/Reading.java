package dev.x0tta6bl4.mapek;

import java.util.Objects;

/**
 * One measured value: a metric (e.g. {@code link.loss}) about a subject (e.g. a peer id, or
 * {@code local} for the node itself).
 */
public record Reading(String metric, String subject, double value) {
  public Reading {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(subject, "subject");
  }
}
