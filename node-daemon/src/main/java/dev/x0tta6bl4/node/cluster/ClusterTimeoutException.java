package dev.x0tta6bl4.node.cluster;

/** A {@link LocalCluster} condition did not come true in the time given. */
public final class ClusterTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ClusterTimeoutException(String message) {
    super(message);
  }
}
