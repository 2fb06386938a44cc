package dev.x0tta6bl4.node.identity;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.node.config.ConfigException;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.NodeConfig.IdentitySourceKind;
import dev.x0tta6bl4.node.wiring.Component;
import dev.x0tta6bl4.pqc.FileIdentitySource;
import dev.x0tta6bl4.pqc.IdentitySource;
import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.PqcException;
import dev.x0tta6bl4.pqc.SpiffeId;
import dev.x0tta6bl4.pqc.SvidValidator;
import java.security.cert.CertificateException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's identity at run time: reads the SVID files, re-reads them when they change (so
 * rotation needs no restart), and with the built-in mesh CA renews the SVID before it
 * expires. TLS asks {@link #source()} for the current identity on every handshake.
 *
 * <p>Built by the container (which creates the identity first if the source is {@code
 * mesh-ca} and none exists); the periodic check runs on the node's {@code Scheduler} thread.
 * Closed by the container.
 */
public final class NodeIdentityService implements Component {
  private static final Logger log = LoggerFactory.getLogger(NodeIdentityService.class);

  private final NodeConfig.Identity config;
  private final IdentityProvisioner provisioner;
  private final FileIdentitySource source;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final SpiffeId spiffeId;
  private ScheduledFuture<?> check;

  public NodeIdentityService(
      NodeConfig.Identity config,
      String nodeId,
      Path stateDir,
      Clock clock,
      ScheduledExecutorService scheduler,
      MeterRegistry registry) {
    this.config = config;
    this.clock = clock;
    this.scheduler = scheduler;
    this.provisioner = new IdentityProvisioner(config, nodeId, stateDir, clock);
    Path dir = provisioner.identityDir();
    if (config.source() == IdentitySourceKind.MESH_CA) {
      provisioner.ensure();
    } else if (!IdentityProvisioner.hasNodeIdentity(dir)) {
      throw new ConfigException(
          "identity.source is files but " + dir + " lacks node-key.pem, node-chain.pem or"
              + " trust-bundle.pem; write them (e.g. meshd ca issue --out " + dir
              + ") or set identity.source: mesh-ca");
    }
    this.source = FileIdentitySource.open(dir);
    this.spiffeId = checkIdentityMatches(source.current(), nodeId);
    Gauge.builder("meshd.identity.certificate.expiry", this, s -> s.secondsUntilExpiry())
        .description("Seconds until the node's X.509-SVID expires (negative once expired)")
        .baseUnit("seconds")
        .register(registry);
    FunctionCounter.builder("meshd.identity.rotations", source, FileIdentitySource::rotations)
        .description("Identity rotations picked up from the identity files")
        .register(registry);
    FunctionCounter.builder(
            "meshd.identity.reload.failures", source, FileIdentitySource::reloadFailures)
        .description("Changed identity files that could not be used (the old identity stays)")
        .register(registry);
  }

  /** This node's SPIFFE ID. */
  public SpiffeId spiffeId() {
    return spiffeId;
  }

  /** The live identity; TLS reads {@link IdentitySource#current()} per handshake. */
  public IdentitySource source() {
    return source;
  }

  @Override
  public synchronized void start() {
    NodeIdentity current = source.current();
    log.info(
        "node identity loaded {} {} {}",
        kv("spiffe_id", spiffeId.toUri()),
        kv("not_after", current.leaf().getNotAfter().toInstant().toString()),
        kv("identity_source", config.source().name()));
    long period = config.reloadInterval().toMillis();
    check = scheduler.scheduleWithFixedDelay(this::checkSafely, period, period, TimeUnit.MILLISECONDS);
  }

  /** Re-reads changed files and, with the mesh CA, renews a near-expiry SVID. */
  synchronized void checkNow() {
    source.reloadIfChanged();
    if (config.source() == IdentitySourceKind.MESH_CA && provisioner.renewIfDue(source.current())) {
      source.reloadIfChanged();
    }
  }

  /**
   * Issues a fresh key and SVID with the mesh CA now, whatever time is left, and switches to
   * it; returns the new SVID's expiry. Called by the self-healing loop when the SVID is close to
   * expiry and the periodic renewal has not replaced it. Serialised with the periodic check.
   *
   * @throws IllegalStateException when {@code identity.source} is {@code files}: the node holds
   *     no CA and cannot renew its own SVID
   * @throws PqcException when the CA cannot be loaded, the SVID cannot be issued, or the new
   *     files could not be loaded (the old identity stays in use)
   */
  public synchronized java.time.Instant renewNow() {
    if (config.source() != IdentitySourceKind.MESH_CA) {
      throw new IllegalStateException("identity.source is files: this node cannot renew its own"
          + " SVID; write fresh files into " + provisioner.identityDir()
          + " (e.g. meshd ca issue) before it expires");
    }
    provisioner.renewNow();
    if (!source.reloadIfChanged()) {
      throw new PqcException("the renewed SVID in " + provisioner.identityDir()
          + " was not loaded (see the identity reload error); the old one stays in use");
    }
    return source.current().leaf().getNotAfter().toInstant();
  }

  private void checkSafely() {
    try {
      checkNow();
    } catch (RuntimeException e) {
      // The next period tries again; the current identity stays in use meanwhile.
      log.error("identity check failed: {}", e.getMessage(), e);
    }
  }

  private double secondsUntilExpiry() {
    return Duration.between(clock.instant(), source.current().leaf().getNotAfter().toInstant())
        .toMillis() / 1000.0;
  }

  private SpiffeId checkIdentityMatches(NodeIdentity identity, String nodeId) {
    SpiffeId id;
    try {
      id =
          SvidValidator.builder(config.trustDomain())
              .trustBundle(identity::trustBundle)
              .clock(clock)
              .build()
              .verifySvid(identity.certificateChain());
    } catch (CertificateException e) {
      throw new PqcException(
          "the node's own identity in " + provisioner.identityDir() + " is not valid: "
              + e.getMessage(), e);
    }
    SpiffeId expected = SpiffeId.forNode(config.trustDomain(), nodeId);
    if (!id.equals(expected)) {
      throw new ConfigException(
          "identity in " + provisioner.identityDir() + " is " + id + " but this node is "
              + expected + " (node.id and identity.trust-domain must match the SVID)");
    }
    return id;
  }

  @Override
  public synchronized void close() {
    if (check != null) {
      check.cancel(false);
    }
    source.close();
  }
}
