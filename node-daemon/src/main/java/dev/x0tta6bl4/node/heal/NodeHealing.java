package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.consensus.DiskSpaceProbe;
import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.Candidate;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.Diagnosis;
import dev.x0tta6bl4.mapek.MapekException;
import dev.x0tta6bl4.mapek.Policy;
import dev.x0tta6bl4.mapek.Sensor;
import dev.x0tta6bl4.mapek.Snapshot;
import dev.x0tta6bl4.node.LocalNode;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.NodeHealingConfig;
import dev.x0tta6bl4.node.identity.NodeIdentityService;
import dev.x0tta6bl4.node.wiring.Container;
import dev.x0tta6bl4.pqc.IdentitySource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Self-healing of the node itself (issue 8): senses heap, GC pauses, CPU, free disk of the state
 * directory and the certificate's time to expiry; detects {@code disk-pressure},
 * {@code memory-pressure} and {@code cert-near-expiry}; acts with {@code rotate-cert} and
 * {@code alert} (and proposes Raft's {@code snapshot-and-purge} under disk pressure). It also
 * publishes {@code node.degraded}, which {@link RaftHealing} reads to move leadership away from
 * a degraded node. docs/healing-raft.md describes thresholds, policies and tests.
 *
 * <p>Built once per node by {@link #forNode}; sensors and detectors run on the loop thread,
 * actuators on its executor. Holds no resources.
 */
public final class NodeHealing implements HealingModule {
  private static final Logger log = LoggerFactory.getLogger(NodeHealing.class);

  // Readings, all about LOCAL.
  public static final String HEAP_USED = "node.heap_used_ratio";
  public static final String HEAP_AFTER_GC = "node.heap_after_gc_ratio";
  public static final String GC_PAUSE = "node.gc_pause_ratio";
  public static final String CPU = "node.process_cpu";
  public static final String DISK_FREE = "node.disk_free_bytes";
  public static final String CERT_TTL = "node.cert_ttl_seconds";
  public static final String CERT_LIFETIME = "node.cert_lifetime_seconds";
  /** Bit set: {@link #DEGRADED_DISK}, {@link #DEGRADED_HEAP}, {@link #DEGRADED_GC}. */
  public static final String DEGRADED = "node.degraded";
  public static final int DEGRADED_DISK = 1;
  public static final int DEGRADED_HEAP = 2;
  public static final int DEGRADED_GC = 4;

  // Symptom and action kinds.
  public static final String DISK_PRESSURE = "disk-pressure";
  public static final String MEMORY_PRESSURE = "memory-pressure";
  public static final String CERT_NEAR_EXPIRY = "cert-near-expiry";
  public static final String ROTATE_CERT = "rotate-cert";

  /**
   * Thresholds and timings of the node's own healing.
   *
   * @param diskMinFreeBytes free bytes on the state directory's file system below which the disk
   *     is under pressure (keep it above {@code consensus.min-free-space}, where writes stop)
   * @param raftLogMaxBytes Raft log bytes above which the disk is under pressure (0 = off)
   * @param heapMaxRatio heap (after GC where known) over max above which memory is under pressure
   * @param heapClearRatio the ratio below which memory pressure ends (hysteresis)
   * @param gcPauseMaxRatio share of wall time spent in GC over {@code gcWindow} above which the
   *     node is degraded
   * @param gcWindow the window of the GC share
   * @param certRenewBefore time to expiry below which the certificate is near expiry (the
   *     identity service itself renews at a third of the lifetime; this is the backstop)
   * @param confirmTicks consecutive ticks a condition must hold before it is a symptom
   * @param cooldown least time between two rotations
   * @param verifyWindow how long after an action its symptom must clear
   */
  public record Settings(long diskMinFreeBytes, long raftLogMaxBytes, double heapMaxRatio,
      double heapClearRatio, double gcPauseMaxRatio, Duration gcWindow,
      Duration certRenewBefore, int confirmTicks, Duration cooldown, Duration verifyWindow) {
    public Settings {
      if (diskMinFreeBytes < 0 || raftLogMaxBytes < 0) {
        throw new MapekException("node healing: diskMinFreeBytes and raftLogMaxBytes must be"
            + " >= 0, got " + diskMinFreeBytes + " and " + raftLogMaxBytes);
      }
      if (!(heapClearRatio > 0 && heapClearRatio <= heapMaxRatio && heapMaxRatio <= 1)) {
        throw new MapekException("node healing: need 0 < heapClearRatio <= heapMaxRatio <= 1,"
            + " got " + heapClearRatio + " and " + heapMaxRatio);
      }
      if (!(gcPauseMaxRatio > 0 && gcPauseMaxRatio <= 1)) {
        throw new MapekException("node healing: gcPauseMaxRatio must be in (0, 1], got "
            + gcPauseMaxRatio);
      }
      for (Duration d : List.of(gcWindow, certRenewBefore, verifyWindow)) {
        if (d.isZero() || d.isNegative()) {
          throw new MapekException("node healing: gcWindow, certRenewBefore and verifyWindow"
              + " must be positive, got " + gcWindow + ", " + certRenewBefore + ", "
              + verifyWindow);
        }
      }
      if (cooldown.isNegative() || confirmTicks < 1) {
        throw new MapekException("node healing: cooldown must be >= 0 and confirmTicks >= 1,"
            + " got " + cooldown + ", " + confirmTicks);
      }
    }

    /** The defaults of configuration section {@code mapek.node}. */
    public static Settings defaults() {
      return of(NodeHealingConfig.defaults());
    }

    /** The settings of configuration section {@code mapek.node}. */
    public static Settings of(NodeHealingConfig c) {
      return new Settings(c.diskMinFree().bytes(), c.raftLogMax().bytes(), c.heapMaxRatio(),
          c.heapClearRatio(), c.gcPauseMaxRatio(), c.gcWindow(), c.certRenewBefore(),
          c.confirmTicks(), c.cooldown(), c.verifyWindow());
    }
  }

  private final Settings settings;
  private final Sensor sensor;
  private final Supplier<Instant> renewCertificate;

  NodeHealing(Settings settings, Sensor sensor, Supplier<Instant> renewCertificate) {
    this.settings = settings;
    this.sensor = sensor;
    this.renewCertificate = renewCertificate;
  }

  /**
   * The node's own healing. Settings come from a {@link Settings} binding when the container has
   * one (tests), else from {@code mapek.node}; likewise a {@link DiskSpaceProbe} binding
   * replaces the real file system (tests that play a filling disk).
   */
  public static HealingModule forNode(NodeConfig config, LocalNode local, Container container) {
    Settings settings = container.find(Settings.class)
        .orElseGet(() -> Settings.of(config.mapek().node()));
    NodeIdentityService identity = container.get(NodeIdentityService.class);
    Sensor sensor = new NodeSensor(settings, JvmProbe.platform(),
        container.find(DiskSpaceProbe.class).orElse(DiskSpaceProbe.fileStore()),
        local.stateDir(), container.get(IdentitySource.class), container.get(Clock.class));
    return new NodeHealing(settings, sensor, identity::renewNow);
  }

  @Override
  public String name() {
    return "node";
  }

  @Override
  public List<Sensor> sensors() {
    return List.of(sensor);
  }

  @Override
  public List<Detector> detectors() {
    return List.of(NodeDetectors.diskPressure(settings), NodeDetectors.memoryPressure(settings),
        NodeDetectors.certNearExpiry(settings));
  }

  @Override
  public List<Policy> policies() {
    return List.of(Policy.of("node", this::propose));
  }

  private List<Candidate> propose(Diagnosis d, Snapshot s) {
    List<Candidate> out = new ArrayList<>();
    switch (d.kind()) {
      case DISK_PRESSURE -> {
        if (s.value(RaftHealing.RUNNING, LOCAL).orElse(0) == 1) {
          out.add(new Candidate(Action.of(RaftHealing.SNAPSHOT_AND_PURGE, LOCAL), 80,
              "snapshot the Raft state and purge the log behind it to free disk"));
        }
        out.add(Alerts.candidate(d, 30, "free disk space on this node"));
      }
      case MEMORY_PRESSURE -> out.add(Alerts.candidate(d, 50,
          "heap pressure has no safe automatic remedy here"));
      case CERT_NEAR_EXPIRY -> {
        out.add(new Candidate(Action.of(ROTATE_CERT, LOCAL), 80,
            "issue a fresh SVID now, before the certificate expires"));
        out.add(Alerts.candidate(d, 30, "renew this node's certificate"));
      }
      default -> {
        // not ours
      }
    }
    return out;
  }

  @Override
  public Set<String> alertKinds() {
    return Set.of(DISK_PRESSURE, MEMORY_PRESSURE, CERT_NEAR_EXPIRY);
  }

  @Override
  public List<Actuator> actuators() {
    // The alert action is carried out by the node's one alert actuator (HealingComponent's).
    return List.of(
        Actuator.of(ROTATE_CERT, this::rotate).withTimeout(Duration.ofSeconds(10))
            .withCooldown(settings.cooldown()).withVerifyWindow(settings.verifyWindow()));
  }

  private CompletableFuture<Void> rotate(Action a) {
    try {
      Instant notAfter = renewCertificate.get();
      log.warn("self-healing: node certificate rotated, now valid until {}", notAfter);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Human-readable reasons for a {@code node.degraded} bit set. */
  static List<String> degradedReasons(int flags) {
    List<String> reasons = new ArrayList<>();
    if ((flags & DEGRADED_DISK) != 0) {
      reasons.add("free disk below the floor");
    }
    if ((flags & DEGRADED_HEAP) != 0) {
      reasons.add("heap above its limit");
    }
    if ((flags & DEGRADED_GC) != 0) {
      reasons.add("GC pauses above their share of time");
    }
    return reasons;
  }
}
