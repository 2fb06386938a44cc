package dev.x0tta6bl4.mapek;

/** How bad a symptom is; ordered from least to most severe. */
public enum Severity {
  INFO(0.33f),
  WARNING(0.66f),
  CRITICAL(1.0f);

  private final float weight;

  Severity(float weight) {
    this.weight = weight;
  }

  /** A weight in (0, 1] used in incident feature vectors. */
  public float weight() {
    return weight;
  }

  public Severity max(Severity other) {
    return compareTo(other) >= 0 ? this : other;
  }
}
