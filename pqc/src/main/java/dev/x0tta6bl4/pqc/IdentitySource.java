package dev.x0tta6bl4.pqc;

import java.util.function.Consumer;

/**
 * Where a node's current {@link NodeIdentity} comes from: the built-in mesh CA's files,
 * files written by an external issuer, or (later) a SPIFFE Workload API.
 *
 * <p>{@link #current()} is cheap and thread-safe; TLS reads it on every new handshake, so
 * a rotated identity is used by new connections while existing ones stay up. Listeners run
 * on the source's own thread after each successful rotation. The owner of the source (the
 * node's composition root) closes it.
 */
public interface IdentitySource extends AutoCloseable {

  /** The identity to use now. */
  NodeIdentity current();

  /** Registers a listener called with every new identity after a rotation. */
  void onRotation(Consumer<NodeIdentity> listener);

  @Override
  default void close() {}
}
