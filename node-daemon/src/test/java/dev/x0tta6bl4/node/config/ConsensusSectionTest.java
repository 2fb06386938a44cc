package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code consensus} section: parsing, its own checks, and the checks against the node. */
class ConsensusSectionTest {
  private static final ConfigLoader NO_ENV = ConfigLoader.forEnvironment(Map.of());

  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("meshd.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  private String errorOf(ConfigLoader loader, Path file) {
    try {
      loader.load(file);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).doesNotContain("\n");
      return e.getMessage();
    }
    throw new AssertionError("expected a ConfigException for " + file);
  }

  @Test
  void defaults_singleVoterOnLoopback7601_worksForAnyNodeId() {
    NodeConfig config = NodeConfig.defaults();

    assertThat(config.consensus().enabled()).isTrue();
    assertThat(config.consensus().bind()).isEqualTo(new HostPort("127.0.0.1", 7601));
    assertThat(config.consensus().voters()).isEmpty();
    assertThat(config.consensus().storageDirIn(Path.of("/s"))).isEqualTo(Path.of("/s/raft"));
    config.checkConsensusFor("edge-1"); // no exception: a lone node needs no configuration
    assertThat(NodeConfig.Consensus.DEFAULT_PORT)
        .isEqualTo(dev.x0tta6bl4.consensus.ConsensusConfig.DEFAULT_PORT)
        .isNotIn(config.mesh().bind().port(), config.api().bind().port(),
            config.metrics().bind().port());
  }

  @Test
  void load_threeVoters_readsEveryKey() throws IOException {
    Path file = write("""
        consensus:
          bind: 10.0.0.1:7601
          voters: [n1@10.0.0.1:7601, n2@10.0.0.2:7601, "n3@[fd00::3]:7601"]
          election-timeout-min: 500ms
          election-timeout-max: 1s
          fast-failover: false
          request-timeout: 2s
          snapshot-threshold: 500
          snapshot-interval: 1h
          snapshot-retention: 4
          log-segment-size: 8MiB
          max-value-size: 64KiB
          min-free-space: 0B
          storage-dir: /var/lib/raft
        """);

    NodeConfig.Consensus c = NO_ENV.load(file).consensus();

    assertThat(c.voters()).containsExactly(
        new VoterAddress("n1", new HostPort("10.0.0.1", 7601)),
        new VoterAddress("n2", new HostPort("10.0.0.2", 7601)),
        new VoterAddress("n3", new HostPort("fd00::3", 7601)));
    assertThat(c.electionTimeoutMin()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.electionTimeoutMax()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.fastFailover()).isFalse();
    assertThat(NodeConfig.Consensus.defaults().fastFailover()).isTrue();
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.snapshotThreshold()).isEqualTo(500);
    assertThat(c.snapshotInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(c.snapshotRetention()).isEqualTo(4);
    assertThat(c.logSegmentSize()).isEqualTo(DataSize.ofMebibytes(8));
    assertThat(c.maxValueSize()).isEqualTo(DataSize.ofKibibytes(64));
    assertThat(c.minFreeSpace()).isEqualTo(DataSize.ofBytes(0));
    assertThat(c.storageDirIn(Path.of("/s"))).isEqualTo(Path.of("/var/lib/raft"));
  }

  @Test
  void load_votersFromEnvironment_replaceFileVoters() throws IOException {
    Path file = write("consensus:\n  voters: [a@127.0.0.1:7601]\n");
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of("MESHD_CONSENSUS_VOTERS",
        "n1@127.0.0.1:7601, n2@127.0.0.1:7602,n3@[::1]:7603"));

    assertThat(loader.load(file).consensus().voters()).extracting(VoterAddress::toString)
        .containsExactly("n1@127.0.0.1:7601", "n2@127.0.0.1:7602", "n3@[::1]:7603");
  }

  @Test
  void load_voterWithoutId_namesEntryAndForm() throws IOException {
    Path file = write("consensus:\n  voters: [n1@127.0.0.1:7601, 127.0.0.1:7602]\n");

    assertThat(errorOf(NO_ENV, file)).isEqualTo(file + ":2:11: consensus.voters.[1]:"
        + " '127.0.0.1:7602' is not id@host:port; allowed: " + VoterAddress.ALLOWED);
  }

  @Test
  void load_voterWithBadPort_namesEntry() throws IOException {
    Path file = write("consensus:\n  voters:\n    - n1@127.0.0.1:99999\n");

    assertThat(errorOf(NO_ENV, file)).startsWith(
        file + ":3:5: consensus.voters.[0]: port 99999 is out of range");
  }

  @Test
  void load_voterWithPortZero_isRefused() throws IOException {
    Path file = write("consensus:\n  voters: [n1@127.0.0.1:0]\n");

    assertThat(errorOf(NO_ENV, file)).isEqualTo(file + ":2:11: consensus.voters.[0]: voter 'n1'"
        + " has port 0; other voters must know the port; allowed: 1..65535");
  }

  @Test
  void load_badVoterId_namesIdRule() throws IOException {
    Path file = write("consensus:\n  voters: [N_1@127.0.0.1:7601]\n");

    assertThat(errorOf(NO_ENV, file)).startsWith(file + ":2:11: consensus.voters.[0]: voter id"
        + " 'N_1' is not a valid node id; allowed: 1..63 characters");
  }

  @Test
  void load_duplicateVoterId_namesSecondEntry() throws IOException {
    Path file = write(
        "consensus:\n  voters: [n1@127.0.0.1:7601, n2@127.0.0.1:7602, n1@127.0.0.1:7603]\n");

    assertThat(errorOf(NO_ENV, file)).isEqualTo(file + ":2:11: consensus.voters.[2]: voter id"
        + " 'n1' appears twice; allowed: each voter id once");
  }

  @Test
  void load_duplicateVoterAddress_namesBoth() throws IOException {
    Path file = write(
        "consensus:\n  voters: [n1@127.0.0.1:7601, n2@127.0.0.1:7601, n3@127.0.0.1:7603]\n");

    assertThat(errorOf(NO_ENV, file)).isEqualTo(file + ":2:11: consensus.voters.[1]: address"
        + " 127.0.0.1:7601 of 'n2' is already another voter's; allowed: each voter at its own"
        + " host:port");
  }

  @Test
  void load_evenVoterCounts_areRefusedSayingWhy() throws IOException {
    Path two = write("consensus:\n  voters: [n1@127.0.0.1:7601, n2@127.0.0.1:7602]\n");
    assertThat(errorOf(NO_ENV, two)).isEqualTo(two + ":2:11: consensus.voters: 2 voters:"
        + " an even count tolerates no more failures than one voter fewer and needs more of them"
        + " up; allowed: 1, 3 or 5 voters (an empty list is a group of this node alone)");

    Path seven = write("consensus:\n  voters: [" + String.join(", ", List.of("a@h:1", "b@h:2",
        "c@h:3", "d@h:4", "e@h:5", "f@h:6", "g@h:7")) + "]\n");
    assertThat(errorOf(NO_ENV, seven)).contains("consensus.voters: 7 voters; allowed: 1, 3 or 5");
  }

  @Test
  void load_joinWithTwoVoters_isAllowedButJoinWithoutVotersIsNot() throws IOException {
    Path ok = write("consensus:\n  join: true\n"
        + "  voters: [n1@127.0.0.1:7601, n2@127.0.0.1:7602]\n");
    assertThat(NO_ENV.load(ok).consensus().join()).isTrue();

    Path empty = write("consensus:\n  join: true\n");
    assertThat(errorOf(NO_ENV, empty)).contains("consensus.voters: is empty although"
        + " consensus.join is true");
  }

  @Test
  void load_bindPortZero_isRefused() throws IOException {
    Path file = write("consensus:\n  bind: 127.0.0.1:0\n");

    assertThat(errorOf(NO_ENV, file)).isEqualTo(file + ":2:9: consensus.bind: port 0 is not"
        + " allowed: the other voters must know this node's Raft port; allowed: a port 1..65535"
        + " (default 7601)");
  }

  @Test
  void load_electionMaxNotAboveMin_namesBoth() throws IOException {
    Path file = write(
        "consensus:\n  election-timeout-min: 300ms\n  election-timeout-max: 300ms\n");

    assertThat(errorOf(NO_ENV, file)).isEqualTo(file + ":3:25: consensus.election-timeout-max:"
        + " 300ms is not above consensus.election-timeout-min 300ms; allowed: more than"
        + " consensus.election-timeout-min");
  }

  @Test
  void load_outOfRangeValues_nameKeyAndRange() throws IOException {
    assertThat(errorOf(NO_ENV, write("consensus:\n  snapshot-retention: 1\n")))
        .endsWith("consensus.snapshot-retention: 1 is out of range; allowed: 2..100");
    assertThat(errorOf(NO_ENV, write("consensus:\n  max-value-size: 17MiB\n")))
        .endsWith("consensus.max-value-size: 17MiB is out of range; allowed: 1B..16MiB");
    assertThat(errorOf(NO_ENV, write("consensus:\n  request-timeout: 1m\n")))
        .endsWith("consensus.request-timeout: 1m is out of range; allowed: 100ms..30s");
  }

  @Test
  void checkConsensusFor_nodeMissingFromVoters_namesNodeAndVoters() throws IOException {
    NodeConfig config = NO_ENV.load(write("consensus:\n  bind: 127.0.0.1:7601\n"
        + "  voters: [n1@127.0.0.1:7601, n2@127.0.0.1:7602, n3@127.0.0.1:7603]\n"));

    config.checkConsensusFor("n1");
    assertThatThrownBy(() -> config.checkConsensusFor("n4"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("consensus.voters: this node 'n4' is not among the voters"
            + " [n1@127.0.0.1:7601, n2@127.0.0.1:7602, n3@127.0.0.1:7603]; allowed: ");
  }

  @Test
  void checkConsensusFor_ownEntryNotBind_namesBoth() throws IOException {
    NodeConfig config = NO_ENV.load(write(
        "consensus:\n  voters: [n1@10.0.0.1:7601, n2@10.0.0.2:7601, n3@10.0.0.3:7601]\n"));

    assertThatThrownBy(() -> config.checkConsensusFor("n2"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("consensus.voters: this node's entry n2@10.0.0.2:7601 differs"
            + " from consensus.bind 127.0.0.1:7601");
  }

  @Test
  void checkConsensusFor_joiningNodeListed_isError() throws IOException {
    NodeConfig config = NO_ENV.load(write("consensus:\n  join: true\n"
        + "  voters: [n1@127.0.0.1:7601, n2@127.0.0.1:7602]\n  bind: 127.0.0.1:7602\n"));

    assertThatThrownBy(() -> config.checkConsensusFor("n2"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "consensus.voters: this node 'n2' is listed although consensus.join is true");
    config.checkConsensusFor("n3");
  }

  @Test
  void checkConsensusFor_portOfAnotherServer_namesIt() throws IOException {
    NodeConfig sameAsApi = NO_ENV.load(write("consensus:\n  bind: 127.0.0.1:7680\n"));
    assertThatThrownBy(() -> sameAsApi.checkConsensusFor("n1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "consensus.bind: 127.0.0.1:7680 uses the port of api.bind 127.0.0.1:7680");

    NodeConfig wildcardMesh = NO_ENV.load(write(
        "mesh:\n  bind: 0.0.0.0:7601\n"));
    assertThatThrownBy(() -> wildcardMesh.checkConsensusFor("n1"))
        .hasMessageStartingWith(
            "consensus.bind: 127.0.0.1:7601 uses the port of mesh.bind 0.0.0.0:7601");

    NodeConfig otherHost = NO_ENV.load(write(
        "metrics:\n  bind: 10.0.0.9:7601\n"));
    otherHost.checkConsensusFor("n1"); // same port on different addresses does not clash
  }

  @Test
  void checkConsensusFor_disabled_checksNothing() throws IOException {
    NodeConfig config = NO_ENV.load(write("consensus:\n  enabled: false\n  bind: 127.0.0.1:7680\n"
        + "  voters: [n1@127.0.0.1:7601]\n"));

    config.checkConsensusFor("n9");
  }
}
