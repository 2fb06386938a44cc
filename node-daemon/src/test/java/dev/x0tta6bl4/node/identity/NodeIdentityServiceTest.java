package dev.x0tta6bl4.node.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.node.config.ConfigException;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.NodeConfig.IdentitySourceKind;
import dev.x0tta6bl4.pqc.IdentityFiles;
import dev.x0tta6bl4.pqc.MeshCertificateAuthority;
import dev.x0tta6bl4.pqc.NodeIdentity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityServiceTest {
  private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

  @TempDir Path state;
  private final MovableClock clock = new MovableClock(T0);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  // Never started by these tests' assertions: checkNow() is called directly.
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  /** A clock the test moves; the identity code reads time only through it. */
  static final class MovableClock extends Clock {
    private final AtomicReference<Instant> now;

    MovableClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private NodeIdentityService service(NodeConfig.Identity config, String nodeId) {
    return new NodeIdentityService(config, nodeId, state, clock, scheduler, registry);
  }

  private static NodeConfig.Identity meshCa() {
    return NodeConfig.Identity.defaults();
  }

  private static NodeConfig.Identity files(Path dir) {
    NodeConfig.Identity d = NodeConfig.Identity.defaults();
    return new NodeConfig.Identity(d.trustDomain(), IdentitySourceKind.FILES, dir, null,
        d.algorithm(), d.svidLifetime(), d.reloadInterval());
  }

  @Test
  void meshCa_noIdentityYet_createsCaAndSvidWithPrivateKeysOwnerOnly() throws Exception {
    try (NodeIdentityService service = service(meshCa(), "n1")) {
      assertThat(service.spiffeId().toUri()).isEqualTo("spiffe://meshd.local/node/n1");
      assertThat(service.source().current().leaf().getNotAfter().toInstant())
          .isEqualTo(T0.plus(Duration.ofHours(24)));
    }
    for (Path key : new Path[] {
        state.resolve("identity").resolve(IdentityFiles.NODE_KEY),
        state.resolve("ca").resolve(IdentityFiles.CA_KEY)}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
          .as("%s", key).isEqualTo("rw-------");
    }
  }

  @Test
  void meshCa_secondStart_reusesExistingIdentity() {
    Instant firstNotAfter;
    try (NodeIdentityService first = service(meshCa(), "n1")) {
      firstNotAfter = first.source().current().leaf().getNotAfter().toInstant();
    }
    clock.advance(Duration.ofHours(1));
    try (NodeIdentityService second = service(meshCa(), "n1")) {
      assertThat(second.source().current().leaf().getNotAfter().toInstant())
          .isEqualTo(firstNotAfter);
    }
  }

  @Test
  void meshCa_aThirdOfLifetimeLeft_renewsWithNewKeyAndCountsRotation() {
    try (NodeIdentityService service = service(meshCa(), "n1")) {
      NodeIdentity before = service.source().current();

      clock.advance(Duration.ofHours(15)); // 9 h left of 24 h: not yet due
      service.checkNow();
      assertThat(service.source().current()).isSameAs(before);

      clock.advance(Duration.ofHours(2)); // 7 h left: due
      service.checkNow();
      NodeIdentity after = service.source().current();
      assertThat(after.leaf().getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofHours(41)));
      assertThat(after.privateKey().getEncoded()).isNotEqualTo(before.privateKey().getEncoded());
      assertThat(registry.get("meshd.identity.rotations").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("meshd.identity.certificate.expiry").gauge().value())
          .isEqualTo(Duration.ofHours(24).toSeconds());
    }
  }

  @Test
  void files_newFilesWritten_pickedUpWithoutRestart() {
    MeshCertificateAuthority ca =
        MeshCertificateAuthority.builder().trustDomain("meshd.local").clock(clock).init();
    Path dir = state.resolve("external");
    IdentityFiles.writeNodeIdentity(dir, ca.issueNodeIdentity("n1"));
    try (NodeIdentityService service = service(files(dir), "n1")) {
      NodeIdentity before = service.source().current();

      IdentityFiles.writeNodeIdentity(dir, ca.issueNodeIdentity("n1"));
      service.checkNow();

      assertThat(service.source().current().leaf()).isNotEqualTo(before.leaf());
      assertThat(service.source().current().leaf().getSerialNumber())
          .isNotEqualTo(before.leaf().getSerialNumber());
    }
  }

  @Test
  void files_missing_failsWithConfigErrorNamingTheDirectory() {
    Path dir = state.resolve("nowhere");

    assertThatThrownBy(() -> service(files(dir), "n1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("identity.source is files");
  }

  @Test
  void svidForAnotherNode_isRefusedAtStart() {
    try (NodeIdentityService ignored = service(meshCa(), "n1")) {
      // creates identity for n1
    }
    assertThatThrownBy(() -> service(meshCa(), "n2"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("spiffe://meshd.local/node/n1")
        .hasMessageContaining("spiffe://meshd.local/node/n2");
  }

  @Test
  void expiredOwnSvid_isRefusedAtStartNamingExpiry() {
    try (NodeIdentityService ignored = service(meshCa(), "n1")) {
      // creates a 24 h SVID
    }
    clock.advance(Duration.ofDays(2));

    assertThatThrownBy(() -> service(files(state.resolve("identity")), "n1"))
        .hasMessageContaining("not valid")
        .hasMessageContaining("expired");
  }
}
