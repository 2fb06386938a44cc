package dev.x0tta6bl4.mapek;

/**
 * Turns a diagnosis into a fixed-length feature vector for the incident index; similar incidents
 * should land close together in Euclidean distance. Called on the loop thread.
 */
public interface FeatureEncoder {
  int dimensions();

  float[] encode(Diagnosis diagnosis, Snapshot snapshot);
}
