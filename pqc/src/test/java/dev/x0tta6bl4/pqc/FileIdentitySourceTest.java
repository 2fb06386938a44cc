package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileIdentitySourceTest {

  @TempDir Path dir;

  private MeshCertificateAuthority ca;
  private NodeIdentity first;

  @BeforeEach
  void setUp() {
    ca =
        MeshCertificateAuthority.builder()
            .trustDomain("mesh.test")
            .clock(new MutableClock(Instant.parse("2026-04-01T00:00:00Z")))
            .random(CertFixtures.seeded(21))
            .init();
    first = ca.issueNodeIdentity("n1");
    IdentityFiles.writeNodeIdentity(dir, first);
  }

  @Test
  void open_validFiles_currentIsTheWrittenIdentity() {
    try (FileIdentitySource source = FileIdentitySource.open(dir)) {
      assertThat(source.current().leaf()).isEqualTo(first.leaf());
      assertThat(source.current().trustBundle()).isEqualTo(first.trustBundle());
    }
  }

  @Test
  void open_keyNotMatchingLeaf_refused() {
    IdentityFiles.writePrivateKey(dir.resolve(IdentityFiles.NODE_KEY), CertFixtures.ed25519().getPrivate());

    assertThatThrownBy(() -> FileIdentitySource.open(dir))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("does not match");
  }

  @Test
  void reloadIfChanged_unchangedFiles_noRotation() {
    try (FileIdentitySource source = FileIdentitySource.open(dir)) {
      assertThat(source.reloadIfChanged()).isFalse();
      assertThat(source.rotations()).isZero();
      assertThat(source.reloadFailures()).isZero();
    }
  }

  @Test
  void reloadIfChanged_newFiles_pickedUpAndListenersCalled() {
    try (FileIdentitySource source = FileIdentitySource.open(dir)) {
      List<NodeIdentity> seen = new ArrayList<>();
      source.onRotation(seen::add);
      NodeIdentity second = ca.issueNodeIdentity("n1");

      IdentityFiles.writeNodeIdentity(dir, second);

      assertThat(source.reloadIfChanged()).isTrue();
      assertThat(source.current().leaf()).isEqualTo(second.leaf());
      assertThat(seen).hasSize(1);
      assertThat(seen.get(0).leaf()).isEqualTo(second.leaf());
      assertThat(source.rotations()).isEqualTo(1);
      assertThat(source.reloadIfChanged()).isFalse();
    }
  }

  @Test
  void reloadIfChanged_newKeyWithOldCertificate_keepsOldIdentityAndCountsOnce() {
    try (FileIdentitySource source = FileIdentitySource.open(dir)) {
      List<NodeIdentity> seen = new ArrayList<>();
      source.onRotation(seen::add);
      NodeIdentity second = ca.issueNodeIdentity("n1");
      // Half-way through a rotation: only the key has been replaced.
      IdentityFiles.writePrivateKey(dir.resolve(IdentityFiles.NODE_KEY), second.privateKey());

      assertThat(source.reloadIfChanged()).isFalse();
      assertThat(source.reloadIfChanged()).isFalse();

      assertThat(source.current().leaf()).isEqualTo(first.leaf());
      assertThat(source.reloadFailures()).isEqualTo(1);
      assertThat(seen).isEmpty();

      IdentityFiles.writeCertificates(dir.resolve(IdentityFiles.NODE_CHAIN), second.certificateChain());
      assertThat(source.reloadIfChanged()).isTrue();
      assertThat(source.current().leaf()).isEqualTo(second.leaf());
      assertThat(seen).hasSize(1);
    }
  }

  @Test
  void reloadIfChanged_unparsableChain_keepsOldIdentity() throws Exception {
    try (FileIdentitySource source = FileIdentitySource.open(dir)) {
      Path chain = dir.resolve(IdentityFiles.NODE_CHAIN);
      String text = Files.readString(chain);
      Files.writeString(chain, text.substring(0, text.length() / 2));

      assertThat(source.reloadIfChanged()).isFalse();

      assertThat(source.current().leaf()).isEqualTo(first.leaf());
      assertThat(source.reloadFailures()).isEqualTo(1);
    }
  }

  @Test
  void reloadIfChanged_missingFile_keepsOldIdentityAndCounts() throws Exception {
    try (FileIdentitySource source = FileIdentitySource.open(dir)) {
      Files.delete(dir.resolve(IdentityFiles.TRUST_BUNDLE));

      assertThat(source.reloadIfChanged()).isFalse();

      assertThat(source.current().leaf()).isEqualTo(first.leaf());
      assertThat(source.reloadFailures()).isEqualTo(1);
    }
  }

  @Test
  void reloadIfChanged_throwingListener_otherListenersStillCalled() {
    try (FileIdentitySource source = FileIdentitySource.open(dir)) {
      List<NodeIdentity> seen = new ArrayList<>();
      source.onRotation(
          identity -> {
            throw new IllegalStateException("listener bug");
          });
      source.onRotation(seen::add);
      IdentityFiles.writeNodeIdentity(dir, ca.issueNodeIdentity("n1"));

      assertThat(source.reloadIfChanged()).isTrue();
      assertThat(seen).hasSize(1);
    }
  }

  @Test
  void start_periodicCheck_picksUpNewFilesOnScheduler() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (FileIdentitySource source = FileIdentitySource.open(dir)) {
      CountDownLatch rotated = new CountDownLatch(1);
      source.onRotation(identity -> rotated.countDown());
      source.start(scheduler, Duration.ofMillis(10));
      NodeIdentity second = ca.issueNodeIdentity("n1");
      IdentityFiles.writeNodeIdentity(dir, second);

      assertThat(rotated.await(10, TimeUnit.SECONDS)).as("rotation within 10 s").isTrue();
      assertThat(source.current().leaf()).isEqualTo(second.leaf());
      assertThatThrownBy(() -> source.start(scheduler, Duration.ofSeconds(1)))
          .isInstanceOf(PqcException.class)
          .hasMessageContaining("already started");
    } finally {
      scheduler.shutdownNow();
      assertThat(scheduler.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void close_twice_isSafeAndStartAfterCloseRefused() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      FileIdentitySource source = FileIdentitySource.open(dir);
      source.close();
      source.close();

      assertThatThrownBy(() -> source.start(scheduler, Duration.ofSeconds(1)))
          .isInstanceOf(PqcException.class)
          .hasMessageContaining("is closed");
    } finally {
      scheduler.shutdownNow();
    }
  }
}
