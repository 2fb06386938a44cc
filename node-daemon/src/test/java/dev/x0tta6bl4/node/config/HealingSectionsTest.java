package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The self-healing areas' sections {@code mapek.mesh}, {@code mapek.raft}, {@code mapek.node},
 * {@code mapek.load} and the send path's admission keys {@code api.send-rate-limit} and {@code
 * api.send-burst}: defaults, every key read from YAML and the environment, and the errors.
 */
class HealingSectionsTest {
  private static final ConfigLoader NO_ENV = ConfigLoader.forEnvironment(Map.of());

  private static NodeConfig load(String yaml) {
    return NO_ENV.loadText(yaml, "f.yaml");
  }

  private static String errorOf(String yaml) {
    return errorOf(NO_ENV, yaml);
  }

  private static String errorOf(ConfigLoader loader, String yaml) {
    try {
      loader.loadText(yaml, "f.yaml");
    } catch (ConfigException e) {
      assertThat(e.getMessage()).doesNotContain("\n");
      return e.getMessage();
    }
    throw new AssertionError("expected a ConfigException for\n" + yaml);
  }

  // ---- defaults ----

  @Test
  void load_emptyFile_givesEachAreasDefaults() {
    NodeConfig.Mapek mapek = load("").mapek();

    assertThat(mapek.mesh()).isEqualTo(MeshHealingConfig.defaults());
    assertThat(mapek.raft()).isEqualTo(RaftHealingConfig.defaults());
    assertThat(mapek.node()).isEqualTo(NodeHealingConfig.defaults());
    assertThat(mapek.load()).isEqualTo(LoadHealingConfig.defaults());
    assertThat(mapek.mesh().unresponsiveAfter()).isEqualTo(Duration.ofMillis(500));
    assertThat(mapek.mesh().quarantinePeriod()).isEqualTo(Duration.ofSeconds(60));
    assertThat(mapek.raft().voterAffectingActions()).containsExactly(
        HealingAction.TRANSFER_LEADERSHIP, HealingAction.REBUILD_RAFT,
        HealingAction.QUARANTINE_PEER);
    assertThat(mapek.node().diskMinFree()).isEqualTo(DataSize.ofMebibytes(256));
    assertThat(mapek.load().shedFactor()).isEqualTo(0.25);
    NodeConfig.Api api = load("").api();
    assertThat(api.sendRateLimit()).isNull();
    assertThat(api.sendBurst()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void load_partialSection_keepsTheOtherDefaults() {
    NodeConfig.Mapek mapek = load("mapek:\n  mesh:\n    quarantine-period: 10m\n").mapek();

    assertThat(mapek.mesh())
        .isEqualTo(MeshHealingConfig.defaults().withQuarantinePeriod(Duration.ofMinutes(10)));
    assertThat(mapek.tickInterval()).isEqualTo(Duration.ofMillis(250));
  }

  // ---- every key ----

  @Test
  void load_meshSection_readsEveryKey() {
    MeshHealingConfig mesh = load("""
        mapek:
          mesh:
            unresponsive-after: 1s
            loss-window: 5s
            min-loss-samples: 20
            degraded-loss-enter: 0.3
            degraded-loss-exit: 0.1
            degraded-rtt-enter: 400ms
            degraded-rtt-exit: 150ms
            cost-factor: 4
            restore-after: 30s
            drop-hold-down: 2s
            signature-failures: 3
            signature-window: 1m
            quarantine-period: 10m
            clock-skew-enter: 2s
            clock-skew-exit: 1s
            isolated-after: 5s
            replace-below: 4
        """).mapek().mesh();

    assertThat(mesh).isEqualTo(new MeshHealingConfig(Duration.ofSeconds(1),
        Duration.ofSeconds(5), 20, 0.3, 0.1, Duration.ofMillis(400), Duration.ofMillis(150), 4.0,
        Duration.ofSeconds(30), Duration.ofSeconds(2), 3, Duration.ofMinutes(1),
        Duration.ofMinutes(10), Duration.ofSeconds(2), Duration.ofSeconds(1),
        Duration.ofSeconds(5), 4));
  }

  @Test
  void load_raftSection_readsEveryKey() {
    RaftHealingConfig raft = load("""
        mapek:
          raft:
            no-leader-grace: 5s
            follower-lag-max: 5000
            apply-backlog-max: 20000
            confirm-ticks: 3
            transfer-timeout: 20s
            snapshot-timeout: 1m
            rebuild-timeout: 2m
            cooldown: 1m
            verify-window: 10s
            voter-affecting-actions: [rebuild-raft, drop-link, transfer-leadership]
        """).mapek().raft();

    assertThat(raft).isEqualTo(new RaftHealingConfig(Duration.ofSeconds(5), 5000, 20_000, 3,
        Duration.ofSeconds(20), Duration.ofMinutes(1), Duration.ofMinutes(2),
        Duration.ofMinutes(1), Duration.ofSeconds(10), List.of(HealingAction.REBUILD_RAFT,
            HealingAction.DROP_LINK, HealingAction.TRANSFER_LEADERSHIP)));
  }

  @Test
  void load_nodeSection_readsEveryKey() {
    NodeHealingConfig node = load("""
        mapek:
          node:
            disk-min-free: 1GiB
            raft-log-max: 512MiB
            heap-max-ratio: 0.95
            heap-clear-ratio: 0.7
            gc-pause-max-ratio: 0.5
            gc-window: 30s
            cert-renew-before: 6h
            confirm-ticks: 4
            cooldown: 5m
            verify-window: 20s
        """).mapek().node();

    assertThat(node).isEqualTo(new NodeHealingConfig(DataSize.ofMebibytes(1024),
        DataSize.ofMebibytes(512), 0.95, 0.7, 0.5, Duration.ofSeconds(30), Duration.ofHours(6),
        4, Duration.ofMinutes(5), Duration.ofSeconds(20)));
  }

  @Test
  void load_loadSectionAndAdmissionKeys_readEveryKey() {
    NodeConfig config = load("""
        api:
          send-rate-limit: 500
          send-burst: 1s
        mapek:
          load:
            window: 1s
            latency-high: 500ms
            latency-low: 200ms
            inflight-high: 10000
            inflight-low: 2000
            min-samples: 20
            enter-ticks: 3
            exit-ticks: 2
            shed-factor: 0.5
            min-rate: 20
            restore-step: 2
            restore-slack: 0.9
            restore-hold: 5s
            shed-cooldown: 2s
            shed-verify-window: 10s
            restore-verify-window: 3s
        """);

    assertThat(config.api().sendRateLimit()).isEqualTo(500.0);
    assertThat(config.api().sendBurst()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.mapek().load()).isEqualTo(new LoadHealingConfig(Duration.ofSeconds(1),
        Duration.ofMillis(500), Duration.ofMillis(200), 10_000, 2_000, 20, 3, 2, 0.5, 20.0, 2.0,
        0.9, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(10),
        Duration.ofSeconds(3)));
  }

  @Test
  void loadWithoutFile_environment_overridesAreaKeys() {
    ConfigLoader env = ConfigLoader.forEnvironment(Map.of(
        "MESHD_MAPEK_MESH_QUARANTINE_PERIOD", "10m",
        "MESHD_MAPEK_RAFT_VOTER_AFFECTING_ACTIONS", "transfer-leadership, rebuild-raft,drop-link",
        "MESHD_MAPEK_NODE_DISK_MIN_FREE", "1GiB",
        "MESHD_MAPEK_LOAD_SHED_FACTOR", "0.5",
        "MESHD_API_SEND_RATE_LIMIT", "250"));

    NodeConfig config = env.loadWithoutFile();

    assertThat(config.mapek().mesh().quarantinePeriod()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.mapek().raft().voterAffectingActions()).containsExactly(
        HealingAction.TRANSFER_LEADERSHIP, HealingAction.REBUILD_RAFT, HealingAction.DROP_LINK);
    assertThat(config.mapek().node().diskMinFree()).isEqualTo(DataSize.ofMebibytes(1024));
    assertThat(config.mapek().load().shedFactor()).isEqualTo(0.5);
    assertThat(config.api().sendRateLimit()).isEqualTo(250.0);
  }

  @Test
  void loadWithoutFile_emptyRateLimitVariable_unsetsTheFilesLimit() {
    ConfigLoader env = ConfigLoader.forEnvironment(Map.of("MESHD_API_SEND_RATE_LIMIT", ""));

    assertThat(env.loadText("api:\n  send-rate-limit: 100\n", "f.yaml").api().sendRateLimit())
        .isNull();
  }

  // ---- ranges and types ----

  @Test
  void load_outOfRange_namesKeyValueAndRange() {
    assertThat(errorOf("mapek:\n  mesh:\n    quarantine-period: 0s\n")).isEqualTo(
        "f.yaml:3:24: mapek.mesh.quarantine-period: 0s is out of range; allowed: 1s..7d");
    assertThat(errorOf("mapek:\n  raft:\n    confirm-ticks: 0\n")).isEqualTo(
        "f.yaml:3:20: mapek.raft.confirm-ticks: 0 is out of range; allowed: 1..100");
    assertThat(errorOf("mapek:\n  node:\n    heap-max-ratio: 1.5\n")).isEqualTo(
        "f.yaml:3:21: mapek.node.heap-max-ratio: 1.5 is out of range; allowed: 0.1..1.0");
    assertThat(errorOf("mapek:\n  node:\n    disk-min-free: 2TiB\n")).isEqualTo(
        "f.yaml:3:20: mapek.node.disk-min-free: 2TiB is out of range; allowed: 0B..1TiB");
    assertThat(errorOf("mapek:\n  load:\n    shed-factor: 1\n")).isEqualTo(
        "f.yaml:3:18: mapek.load.shed-factor: 1.0 is out of range; allowed: 0.01..0.99");
    assertThat(errorOf("api:\n  send-rate-limit: 0.5\n")).isEqualTo(
        "f.yaml:2:20: api.send-rate-limit: 0.5 is out of range; allowed: 1.0..10000000");
    assertThat(errorOf("api:\n  send-burst: 2m\n")).isEqualTo(
        "f.yaml:2:15: api.send-burst: 2m is out of range; allowed: 1ms..1m");
  }

  @Test
  void load_wrongType_andUnknownKey_areErrors() {
    assertThat(errorOf("mapek:\n  load:\n    shed-factor: half\n"))
        .startsWith("f.yaml:3:18: mapek.load.shed-factor: wrong type: got a string; allowed:");
    assertThat(errorOf("mapek:\n  mesh:\n    quarantine: 1m\n")).isEqualTo(
        "f.yaml:3:5: mapek.mesh.quarantine: unknown key; allowed: unresponsive-after,"
            + " loss-window, min-loss-samples, degraded-loss-enter, degraded-loss-exit,"
            + " degraded-rtt-enter, degraded-rtt-exit, cost-factor, restore-after,"
            + " drop-hold-down, signature-failures, signature-window, quarantine-period,"
            + " clock-skew-enter, clock-skew-exit, isolated-after, replace-below");
    assertThat(errorOf("mapek:\n  mesh:\n")).startsWith("f.yaml:2:8: mapek.mesh: is null;");
  }

  // ---- hysteresis pairs: the low mark strictly below the high one ----

  @Test
  void load_hysteresisPairsOutOfOrder_nameTheLowKeyAndBothValues() {
    assertThat(errorOf("mapek:\n  mesh:\n    degraded-loss-exit: 0.2\n")).isEqualTo(
        "f.yaml:3:25: mapek.mesh.degraded-loss-exit: 0.2 is not below"
            + " mapek.mesh.degraded-loss-enter 0.2; allowed: less than"
            + " mapek.mesh.degraded-loss-enter");
    assertThat(errorOf("mapek:\n  mesh:\n    degraded-rtt-enter: 50ms\n")).isEqualTo(
        "f.yaml:3:5: mapek.mesh.degraded-rtt-exit: 100ms is not below"
            + " mapek.mesh.degraded-rtt-enter 50ms; allowed: less than"
            + " mapek.mesh.degraded-rtt-enter");
    assertThat(errorOf("mapek:\n  mesh:\n    clock-skew-exit: 2s\n")).isEqualTo(
        "f.yaml:3:22: mapek.mesh.clock-skew-exit: 2s is not below mapek.mesh.clock-skew-enter"
            + " 1s; allowed: less than mapek.mesh.clock-skew-enter");
    assertThat(errorOf("mapek:\n  node:\n    heap-clear-ratio: 0.95\n")).isEqualTo(
        "f.yaml:3:23: mapek.node.heap-clear-ratio: 0.95 is not below mapek.node.heap-max-ratio"
            + " 0.9; allowed: less than mapek.node.heap-max-ratio");
    assertThat(errorOf("mapek:\n  load:\n    latency-low: 300ms\n")).isEqualTo(
        "f.yaml:3:18: mapek.load.latency-low: 300ms is not below mapek.load.latency-high 250ms;"
            + " allowed: less than mapek.load.latency-high");
    assertThat(errorOf("mapek:\n  load:\n    inflight-high: 1024\n")).isEqualTo(
        "f.yaml:3:5: mapek.load.inflight-low: 1024 is not below mapek.load.inflight-high 1024;"
            + " allowed: less than mapek.load.inflight-high");
  }

  // ---- voter-affecting actions ----

  @Test
  void load_unknownActionKind_listsTheKinds() {
    assertThat(errorOf("mapek:\n  raft:\n    voter-affecting-actions: [transfer-leadership,"
        + " rebuild-raft, restart-node]\n")).isEqualTo(
        "f.yaml:3:30: mapek.raft.voter-affecting-actions.[2]: 'restart-node' is not one of the"
            + " allowed values; allowed: drop-link | raise-link-cost | restore-link-cost |"
            + " quarantine-peer | reconnect | alert | transfer-leadership | snapshot-and-purge |"
            + " rebuild-raft | rotate-cert | shed-load | restore-load");
  }

  @Test
  void load_voterAffectingActionsWithoutARaftAction_orTwice_areErrors() {
    assertThat(errorOf("mapek:\n  raft:\n    voter-affecting-actions: [transfer-leadership]\n"))
        .isEqualTo("f.yaml:3:30: mapek.raft.voter-affecting-actions: does not contain"
            + " 'rebuild-raft'; allowed: a list that contains transfer-leadership and"
            + " rebuild-raft (they take this member out of service), plus any other kinds the"
            + " quorum veto should count");
    assertThat(errorOf("mapek:\n  raft:\n    voter-affecting-actions: [rebuild-raft,"
        + " transfer-leadership, rebuild-raft]\n")).isEqualTo(
        "f.yaml:3:30: mapek.raft.voter-affecting-actions.[2]: 'rebuild-raft' appears twice;"
            + " allowed: each action kind once");
    assertThat(errorOf(ConfigLoader.forEnvironment(Map.of(
            "MESHD_MAPEK_RAFT_VOTER_AFFECTING_ACTIONS", "rebuild-raft,restart")), ""))
        .startsWith("environment MESHD_MAPEK_RAFT_VOTER_AFFECTING_ACTIONS:"
            + " mapek.raft.voter-affecting-actions.[1]: 'restart' is not one of the allowed"
            + " values;");
  }

  // ---- checks across sections ----

  @Test
  void load_longHeartbeatWithDefaultSilence_asksForALongerUnresponsiveAfter() {
    assertThat(errorOf("mesh:\n  heartbeat-interval: 250ms\n")).isEqualTo(
        "f.yaml: mapek.mesh.unresponsive-after: 500ms is not above twice"
            + " mesh.heartbeat-interval 250ms; allowed: more than 2 x mesh.heartbeat-interval"
            + " (about 5 x is the design point)");
  }

  @Test
  void load_lossWindowShorterThanItsSamples_isAnError() {
    assertThat(errorOf("mapek:\n  mesh:\n    loss-window: 500ms\n")).isEqualTo(
        "f.yaml:3:5: mapek.mesh.min-loss-samples: 10 heartbeat replies cannot fall due within"
            + " mapek.mesh.loss-window 500ms at mesh.heartbeat-interval 100ms (5 do); allowed:"
            + " at most mapek.mesh.loss-window / mesh.heartbeat-interval (or a longer loss"
            + " window)");
    assertThat(load("mapek:\n  mesh:\n    loss-window: 500ms\n    min-loss-samples: 5\n")
        .mapek().mesh().minLossSamples()).isEqualTo(5);
  }

  @Test
  void load_diskFloorAtOrBelowRaftsFloor_isAnError_unlessOffOrConsensusOff() {
    assertThat(errorOf("mapek:\n  node:\n    disk-min-free: 64MiB\n")).isEqualTo(
        "f.yaml:3:20: mapek.node.disk-min-free: 64MiB is not above consensus.min-free-space"
            + " 64MiB; allowed: more than consensus.min-free-space (where Raft stops accepting"
            + " writes), or 0B for no disk check");
    assertThat(load("mapek:\n  node:\n    disk-min-free: 0B\n").mapek().node().diskMinFree())
        .isEqualTo(DataSize.ofBytes(0));
    assertThat(load("consensus:\n  enabled: false\nmapek:\n  node:\n    disk-min-free: 1MiB\n")
        .mapek().node().diskMinFree()).isEqualTo(DataSize.ofMebibytes(1));
  }

  @Test
  void load_certBackstopNotBelowTheSvidLifetime_isAnError_unlessSvidsComeFromFiles() {
    assertThat(errorOf("identity:\n  svid-lifetime: 2h\n")).isEqualTo(
        "f.yaml: mapek.node.cert-renew-before: 2h is not below identity.svid-lifetime 2h;"
            + " allowed: less than identity.svid-lifetime");
    assertThat(load("identity:\n  svid-lifetime: 2h\nmapek:\n  node:\n"
        + "    cert-renew-before: 30m\n").mapek().node().certRenewBefore())
        .isEqualTo(Duration.ofMinutes(30));
    // Externally issued SVIDs: their lifetime is not identity.svid-lifetime.
    assertThat(load("identity:\n  source: files\n  svid-lifetime: 1h\n").identity()
        .svidLifetime()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void load_minRateAboveTheConfiguredLimit_isAnError() {
    assertThat(errorOf("api:\n  send-rate-limit: 5\n")).isEqualTo(
        "f.yaml: mapek.load.min-rate: 10.0 messages/s is above api.send-rate-limit 5.0"
            + " (shedding would raise the limit); allowed: at most api.send-rate-limit");
  }
}
