package dev.x0tta6bl4.pqc;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Test identity source whose identity the test replaces to simulate a rotation. */
final class MutableIdentitySource implements IdentitySource {

  private volatile NodeIdentity current;
  private final List<Consumer<NodeIdentity>> listeners = new CopyOnWriteArrayList<>();

  MutableIdentitySource(NodeIdentity initial) {
    this.current = initial;
  }

  @Override
  public NodeIdentity current() {
    return current;
  }

  void rotate(NodeIdentity next) {
    current = next;
    listeners.forEach(l -> l.accept(next));
  }

  @Override
  public void onRotation(Consumer<NodeIdentity> listener) {
    listeners.add(listener);
  }
}
