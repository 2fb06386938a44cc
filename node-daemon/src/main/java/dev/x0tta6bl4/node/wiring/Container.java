package dev.x0tta6bl4.node.wiring;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small dependency-injection container: types bound to factories, singletons built on
 * first use, components started in build order and closed in reverse.
 *
 * <p>No reflection and no annotations: a binding is a type and a lambda that receives the
 * container and asks it for its dependencies, so the composition root reads top to bottom
 * and a dependency cycle is reported with its full path ({@code A -> B -> A}).
 *
 * <p>Lifecycle: {@link #start()} builds every binding in declaration order (dependencies
 * first, recursively) and starts each {@link Component} right after it is built, so a
 * component always starts after the components it depends on. If building or starting
 * fails, everything already built is closed in reverse order and the failure is rethrown.
 * {@link #close()} closes every built {@link AutoCloseable} in reverse build order; it is
 * idempotent, and a failing close does not stop the others (failures are logged and added
 * to the thrown exception as suppressed).
 *
 * <p>Threading: build, start and close are called by the node's main thread (or the
 * shutdown thread); they are synchronized so a signal-triggered close cannot interleave
 * with a start. {@link #isRunning()} and {@link #startedComponents()} take no lock, so a
 * health check on a Netty event loop never waits for a slow start.
 */
public final class Container implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Container.class);

  /** Builds one instance; receives the container to look up its dependencies. */
  @FunctionalInterface
  public interface Factory<T> {
    T create(Container container) throws Exception;
  }

  private enum State {
    NEW,
    STARTING,
    RUNNING,
    CLOSED
  }

  private final Map<Class<?>, Factory<?>> bindings;
  private final Map<Class<?>, Object> instances = new HashMap<>();
  private final List<Object> buildOrder = new ArrayList<>();
  private final List<Component> started = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Deque<Class<?>> building = new ArrayDeque<>();
  // Volatile so health checks on other threads read it without taking the container's lock.
  private volatile State state = State.NEW;

  private Container(Map<Class<?>, Factory<?>> bindings) {
    this.bindings = bindings;
  }

  /** Starts a new set of bindings. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the singleton bound to {@code type}, building it (and its dependencies) on
   * first use. A component built after {@link #start()} is started at once.
   *
   * @throws WiringException if the type is unbound, a cycle is found, or a factory fails
   */
  public synchronized <T> T get(Class<T> type) {
    Objects.requireNonNull(type, "type");
    if (state == State.CLOSED) {
      throw new WiringException("container is closed; cannot provide " + type.getName());
    }
    Object existing = instances.get(type);
    if (existing != null) {
      return type.cast(existing);
    }
    Factory<?> factory = bindings.get(type);
    if (factory == null) {
      throw new WiringException("no binding for " + type.getName() + describeRequester());
    }
    if (building.contains(type)) {
      throw new WiringException("dependency cycle: " + cyclePath(type));
    }
    building.push(type);
    Object instance;
    try {
      instance = factory.create(this);
    } catch (WiringException e) {
      throw e;
    } catch (Exception e) {
      throw new WiringException("failed to build " + type.getName() + ": " + e.getMessage(), e);
    } finally {
      building.pop();
    }
    if (instance == null) {
      throw new WiringException("factory for " + type.getName() + " returned null");
    }
    if (!type.isInstance(instance)) {
      throw new WiringException(
          "factory for " + type.getName() + " returned a " + instance.getClass().getName());
    }
    instances.put(type, instance);
    // One object bound under several types (an implementation and its interface) is one
    // component: started once, closed once.
    boolean firstSight = buildOrder.stream().noneMatch(seen -> seen == instance);
    if (firstSight) {
      buildOrder.add(instance);
      if (state == State.STARTING || state == State.RUNNING) {
        startComponent(instance);
      }
    }
    return type.cast(instance);
  }

  /**
   * Like {@link #get}, but empty when nothing is bound to {@code type}: for optional
   * collaborators a test may bind (a fake probe, tuned settings).
   */
  public synchronized <T> Optional<T> find(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return instances.containsKey(type) || bindings.containsKey(type)
        ? Optional.of(get(type)) : Optional.empty();
  }

  /**
   * Builds every binding in declaration order and starts the components in build order.
   * On failure closes what was built and rethrows.
   */
  public synchronized void start() {
    if (state != State.NEW) {
      throw new WiringException("container cannot start in state " + state);
    }
    state = State.STARTING;
    try {
      for (Class<?> type : bindings.keySet()) {
        get(type);
      }
      state = State.RUNNING;
    } catch (RuntimeException e) {
      log.error("start-up failed, closing {} built components: {}", buildOrder.size(), e.getMessage());
      try {
        close();
      } catch (RuntimeException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
  }

  /** True once {@link #start()} has built and started every binding, until close. */
  public boolean isRunning() {
    return state == State.RUNNING;
  }

  /** The components started so far, in start order. */
  public List<Component> startedComponents() {
    return List.copyOf(started);
  }

  /**
   * Closes every built instance that is {@link AutoCloseable}, in reverse build order.
   * Idempotent. Failures are logged; the first is thrown after all closes ran, with the
   * rest attached as suppressed.
   */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    WiringException failure = null;
    for (int i = buildOrder.size() - 1; i >= 0; i--) {
      Object instance = buildOrder.get(i);
      if (!(instance instanceof AutoCloseable)) {
        continue;
      }
      try {
        ((AutoCloseable) instance).close();
      } catch (Exception e) {
        log.error("closing {} failed: {}", nameOf(instance), e.toString(), e);
        if (failure == null) {
          failure = new WiringException("closing " + nameOf(instance) + " failed: " + e, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void startComponent(Object instance) {
    if (!(instance instanceof Component)) {
      return;
    }
    Component component = (Component) instance;
    try {
      component.start();
    } catch (Exception e) {
      throw new WiringException(
          "failed to start " + component.componentName() + ": " + e.getMessage(), e);
    }
    started.add(component);
    log.debug("started {}", component.componentName());
  }

  private String cyclePath(Class<?> repeated) {
    List<Class<?>> chain = new ArrayList<>(building);
    java.util.Collections.reverse(chain);
    int from = chain.indexOf(repeated);
    List<String> names =
        chain.subList(from, chain.size()).stream().map(Class::getSimpleName).collect(Collectors.toList());
    names.add(repeated.getSimpleName());
    return String.join(" -> ", names);
  }

  private String describeRequester() {
    return building.isEmpty() ? "" : " (needed by " + building.peek().getName() + ")";
  }

  private static String nameOf(Object instance) {
    return instance instanceof Component
        ? ((Component) instance).componentName()
        : instance.getClass().getSimpleName();
  }

  /**
   * Collects bindings. {@link #bind} declares a type once; {@link #override} replaces an
   * existing binding (how tests swap the clock, transport or storage) and fails if the type
   * was never bound, so a typo cannot silently add a binding nobody uses.
   */
  public static final class Builder {
    private final Map<Class<?>, Factory<?>> bindings = new LinkedHashMap<>();

    private Builder() {}

    /** Binds {@code type} to {@code factory}; binding a type twice is an error. */
    public <T> Builder bind(Class<T> type, Factory<? extends T> factory) {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(factory, "factory");
      if (bindings.containsKey(type)) {
        throw new WiringException(type.getName() + " is already bound; use override() to replace it");
      }
      bindings.put(type, factory);
      return this;
    }

    /** Binds {@code type} to an instance built elsewhere. */
    public <T> Builder bindInstance(Class<T> type, T instance) {
      Objects.requireNonNull(instance, "instance");
      return bind(type, c -> instance);
    }

    /** Replaces the binding of {@code type}, keeping its place in the start order. */
    public <T> Builder override(Class<T> type, Factory<? extends T> factory) {
      Objects.requireNonNull(factory, "factory");
      if (!bindings.containsKey(type)) {
        throw new WiringException("cannot override " + type.getName() + ": it is not bound");
      }
      bindings.put(type, factory);
      return this;
    }

    public Container build() {
      return new Container(new LinkedHashMap<>(bindings));
    }
  }
}
