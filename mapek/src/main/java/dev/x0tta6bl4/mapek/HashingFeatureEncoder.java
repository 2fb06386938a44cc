package dev.x0tta6bl4.mapek;

/**
 * A generic encoder that needs no knowledge of the node: the diagnosis kind is hashed into a
 * one-hot block (weight 2, so incidents of different kinds stay apart), symptom kinds are hashed
 * into a second block weighted by severity, and the last two slots hold the (log-scaled) number of
 * symptoms and the worst severity. A node that wants finer recall supplies its own encoder, e.g.
 * with link loss and RTT from the snapshot.
 */
public final class HashingFeatureEncoder implements FeatureEncoder {
  private final int dimensions;
  private final int kindBlock;
  private final int symptomBlock;

  /** @param dimensions at least 8 */
  public HashingFeatureEncoder(int dimensions) {
    if (dimensions < 8) {
      throw new MapekException("feature dimensions must be at least 8, got " + dimensions);
    }
    this.dimensions = dimensions;
    this.kindBlock = (dimensions - 2) / 2;
    this.symptomBlock = dimensions - 2 - kindBlock;
  }

  @Override
  public int dimensions() {
    return dimensions;
  }

  @Override
  public float[] encode(Diagnosis diagnosis, Snapshot snapshot) {
    float[] v = new float[dimensions];
    v[Math.floorMod(diagnosis.kind().hashCode(), kindBlock)] = 2.0f;
    float total = 0;
    for (Symptom s : diagnosis.symptoms()) {
      v[kindBlock + Math.floorMod(s.kind().hashCode(), symptomBlock)] += s.severity().weight();
      total += s.severity().weight();
    }
    if (total > 0) {
      for (int i = kindBlock; i < kindBlock + symptomBlock; i++) {
        v[i] /= total;
      }
    }
    v[dimensions - 2] = (float) (Math.log1p(diagnosis.symptoms().size()) / Math.log(64));
    v[dimensions - 1] = diagnosis.severity().weight();
    return v;
  }
}
