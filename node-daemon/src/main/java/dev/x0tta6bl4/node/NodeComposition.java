package dev.x0tta6bl4.node;

import dev.x0tta6bl4.node.api.ConsensusAccess;
import dev.x0tta6bl4.consensus.RaftTls;
import dev.x0tta6bl4.node.api.LocalApiServer;
import dev.x0tta6bl4.node.api.SendAdmission;
import dev.x0tta6bl4.node.cli.BuildInfo;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.identity.CryptoStartup;
import dev.x0tta6bl4.node.delivery.DeliverySettings;
import dev.x0tta6bl4.node.heal.HealingComponent;
import dev.x0tta6bl4.node.heal.HealingModules;
import dev.x0tta6bl4.node.identity.NodeIdentityService;
import dev.x0tta6bl4.node.mesh.BootCounter;
import dev.x0tta6bl4.node.mesh.MeshRouter;
import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.node.routing.EnvelopeAdvertSigner;
import dev.x0tta6bl4.node.routing.EnvelopeAdvertVerifier;
import dev.x0tta6bl4.node.routing.LinkStateRouter;
import dev.x0tta6bl4.node.routing.RoutingSettings;
import dev.x0tta6bl4.node.membership.FailureDetector;
import dev.x0tta6bl4.node.membership.FailureDetectorSettings;
import dev.x0tta6bl4.node.transport.FaultController;
import dev.x0tta6bl4.node.transport.MeshLinks;
import dev.x0tta6bl4.node.wiring.Component;
import dev.x0tta6bl4.node.wiring.Container;
import dev.x0tta6bl4.observability.BoundedTagFilter;
import dev.x0tta6bl4.observability.ComponentHealth;
import dev.x0tta6bl4.observability.HealthReport;
import dev.x0tta6bl4.observability.LogSetup;
import dev.x0tta6bl4.observability.MeshdMetrics;
import dev.x0tta6bl4.observability.Readiness;
import dev.x0tta6bl4.observability.Tracing;
import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.IdentitySource;
import dev.x0tta6bl4.pqc.PeerVerifier;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import dev.x0tta6bl4.pqc.SvidValidator;
import dev.x0tta6bl4.pqc.TlsContextFactory;
import dev.x0tta6bl4.pqc.TlsSettings;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The composition root: every binding of a node, in start order. Read top to bottom, this
 * is the whole node. Tests take {@link #bindings} and {@code override} what they need
 * (clock, ports, storage) before building the container.
 */
public final class NodeComposition {
  private NodeComposition() {}

  /** All bindings of a node with the given configuration and identity. */
  public static Container.Builder bindings(NodeConfig config, LocalNode local) {
    return bindings(config, local, null);
  }

  /**
   * All bindings, with a fault controller that injects faults on every mesh link (the test
   * harness and {@code meshd demo}); {@code faults} may be null for a production node.
   */
  public static Container.Builder bindings(
      NodeConfig config, LocalNode local, FaultController faults) {
    LogSetup.bridgeJavaUtilLogging(); // Bouncy Castle's JSSE logs through java.util.logging
    Container.Builder bindings = Container.builder()
        .bindInstance(NodeConfig.class, config)
        .bindInstance(LocalNode.class, local)
        .bind(Clock.class, c -> Clock.systemUTC())
        .bind(RandomGenerator.class, c -> new SplittableRandom())
        // Before anything opens a port: BC version lock and known-answer self-tests.
        .bind(CryptoProviders.class, c -> CryptoStartup.verifyAndInstall())
        .bind(
            PrometheusMeterRegistry.class,
            c -> {
              PrometheusMeterRegistry registry =
                  MeshdMetrics.create(
                      BuildInfo.version(),
                      new BoundedTagFilter("peer", config.mesh().peerMetricsLimit()));
              // disk_free_bytes / disk_total_bytes of the state directory: the disk-pressure alert
              new DiskSpaceMetrics(local.stateDir().toFile()).bindTo(registry);
              return registry;
            })
        .bind(Tracing.class, c -> NodeTracing.create(config, local.nodeId(),
            c.get(PrometheusMeterRegistry.class)))
        .bind(Scheduler.class, c -> new Scheduler())
        .bind(
            NodeIdentityService.class,
            c ->
                new NodeIdentityService(
                    config.identity(),
                    local.nodeId(),
                    local.stateDir(),
                    c.get(Clock.class),
                    c.get(Scheduler.class).executor(),
                    c.get(PrometheusMeterRegistry.class)))
        .bind(IdentitySource.class, c -> c.get(NodeIdentityService.class).source())
        .bind(
            SvidValidator.class,
            c ->
                SvidValidator.builder(config.identity().trustDomain())
                    .trustBundleFrom(c.get(IdentitySource.class))
                    .clock(c.get(Clock.class))
                    .build())
        .bind(PeerVerifier.class, c -> c.get(SvidValidator.class))
        .bind(
            TlsContextFactory.class,
            c ->
                new TlsContextFactory(
                    c.get(CryptoProviders.class),
                    c.get(IdentitySource.class),
                    c.get(PeerVerifier.class),
                    tlsSettings(config, c.get(IdentitySource.class))));
    if (config.consensus().enabled()) {
      // After identity (Raft TLS uses the SVID), before the mesh; closed before the registry,
      // which loses the meshd.raft.* meters with it. The API reaches the store only through
      // ConsensusComponent::store: the supervisor inside may rebuild the store at any time.
      bindings.bind(
          ConsensusComponent.class,
          c ->
              new ConsensusComponent(
                  config,
                  local,
                  // Raft over the same mutual TLS as the mesh links: SVIDs, hybrid group
                  RaftTls.fromIdentity(
                      c.get(CryptoProviders.class),
                      c.get(IdentitySource.class),
                      c.get(PeerVerifier.class),
                      tlsSettings(config, c.get(IdentitySource.class))),
                  c.get(PrometheusMeterRegistry.class),
                  c.get(Scheduler.class).executor(),
                  c.get(Clock.class)));
    }
    return bindings
        .bind(
            EventLoops.class,
            c ->
                new EventLoops(
                    Runtime.getRuntime().availableProcessors(),
                    c.get(PrometheusMeterRegistry.class)))
        .bind(
            MeshLinks.class,
            c ->
                new MeshLinks(
                    config.mesh(),
                    local.nodeId(),
                    c.get(NodeIdentityService.class).spiffeId(),
                    c.get(TlsContextFactory.class),
                    c.get(EventLoops.class).group(),
                    new FailureDetector(
                        local.nodeId(),
                        FailureDetectorSettings.scaledTo(config.mesh().heartbeatInterval()),
                        c.get(RandomGenerator.class)),
                    faults,
                    c.get(PrometheusMeterRegistry.class),
                    System::nanoTime,
                    c.get(Clock.class)::millis, // resolved now: never ask the container later
                    c.get(RandomGenerator.class)))
        .bind(
            MeshRouter.class,
            c ->
                new MeshRouter(
                    local.nodeId(),
                    c.get(NodeIdentityService.class).spiffeId().toUri(),
                    BuildInfo.version(),
                    c.get(MeshLinks.class),
                    new LinkStateRouter(
                        local.nodeId(),
                        c.get(Clock.class).millis(),
                        RoutingSettings.defaults(),
                        new EnvelopeAdvertSigner(
                            c.get(NodeIdentityService.class).spiffeId(),
                            c.get(IdentitySource.class)::current,
                            c.get(Clock.class)),
                        new EnvelopeAdvertVerifier(c.get(SvidValidator.class), c.get(Clock.class)),
                        c.get(RandomGenerator.class)),
                    BootCounter.next(local.stateDir()),
                    DeliverySettings.defaults(),
                    c.get(RandomGenerator.class),
                    c.get(PrometheusMeterRegistry.class),
                    System::nanoTime,
                    c.get(Tracing.class)))
        .bind(MeshService.class, c -> c.get(MeshRouter.class))
        // After everything it senses and acts on; its own threads, so the scheduler's slow
        // housekeeping never delays detection.
        .bind(
            HealingComponent.class,
            c ->
                new HealingComponent(
                    config.mapek(),
                    local.nodeId(),
                    local.stateDir(),
                    HealingModules.forNode(config, local, c),
                    c.get(PrometheusMeterRegistry.class),
                    c.get(Clock.class),
                    c.get(Tracing.class)))
        .bind(
            MetricsEndpoint.class,
            c ->
                new MetricsEndpoint(
                    config.metrics(),
                    c.get(EventLoops.class),
                    c.get(PrometheusMeterRegistry.class),
                    readiness(c)))
        // Admission control of the API's send path; the healing loop lowers and restores it.
        .bind(
            SendAdmission.class,
            c ->
                new SendAdmission(
                    config.api().sendRateLimit() != null
                        ? config.api().sendRateLimit()
                        : SendAdmission.UNLIMITED,
                    config.api().sendBurst().toNanos() / 1e9,
                    System::nanoTime,
                    c.get(PrometheusMeterRegistry.class)))
        .bind(
            LocalApiServer.class,
            c ->
                new LocalApiServer(
                    config.api(),
                    c.get(MeshService.class),
                    config.consensus().enabled()
                        ? ConsensusAccess.supervised(
                            c.get(ConsensusComponent.class)::store,
                            c.get(ConsensusComponent.class)::status,
                            Math.toIntExact(config.consensus().maxValueSize().bytes()))
                        : ConsensusAccess.disabled(),
                    c.get(HealingComponent.class),
                    c.get(EventLoops.class).group(),
                    c.get(PrometheusMeterRegistry.class),
                    c::isRunning, // 503 not_ready until every component has started
                    c.get(Tracing.class),
                    c.get(SendAdmission.class)));
  }

  private static TlsSettings tlsSettings(NodeConfig config, IdentitySource identity) {
    boolean ownKeyIsMlDsa =
        SignatureAlgorithm.of(identity.current().leaf().getPublicKey())
            .filter(a -> a == SignatureAlgorithm.ML_DSA_65)
            .isPresent();
    return TlsSettings.builder()
        .keyExchange(
            config.tls().keyExchange() == NodeConfig.KeyExchange.MLKEM768
                ? TlsSettings.KeyExchange.PURE_MLKEM768
                : TlsSettings.KeyExchange.HYBRID_X25519_MLKEM768)
        .allowClassicalKeyExchange(config.tls().allowClassical())
        .mlDsaCertificates(config.tls().mlDsaSignatures() || ownKeyIsMlDsa)
        .handshakeTimeout(config.mesh().helloTimeout())
        .build();
  }

  /**
   * Ready once the container has started every component; the report lists each started
   * component so an operator sees how far start-up got.
   */
  static Readiness readiness(Container container) {
    return () -> {
      Map<String, ComponentHealth> components = new LinkedHashMap<>();
      for (Component component : container.startedComponents()) {
        components.put(component.componentName(), ComponentHealth.up());
      }
      components.put(
          "node",
          container.isRunning()
              ? ComponentHealth.up()
              : ComponentHealth.down("starting or stopping"));
      return new HealthReport(components);
    };
  }
}
