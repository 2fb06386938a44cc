package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.HandshakeObservation;
import dev.x0tta6bl4.pqc.PeerVerifier;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import dev.x0tta6bl4.pqc.SvidValidator;
import dev.x0tta6bl4.pqc.TlsSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raft over mutual TLS with node SVIDs, in one JVM on 127.0.0.1: three voters elect and
 * replicate; what the shaded gRPC negotiated is read off the wire through {@link TlsRelay}s;
 * a voter with a certificate from another CA, and a plaintext client, get nowhere; a rotated
 * identity is presented on new connections without a restart.
 */
class RaftTlsTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  private ConsensusConfig.Builder config(String id, List<Voter> voters) {
    return ConsensusConfig.builder(id, dir.resolve(id))
        .voters(voters)
        .electionTimeout(Duration.ofMillis(150), Duration.ofMillis(300))
        // Long enough to ride out leader churn on a loaded machine; refused callers still fail.
        .requestTimeout(Duration.ofSeconds(15))
        .rpcTimeout(Duration.ofSeconds(1));
  }

  private ReplicatedStore start(ConsensusConfig config, MeterRegistry registry) {
    return track(ReplicatedStore.start(config, registry));
  }

  @Test
  void threeVoters_mutualTls_electReplicateAndNegotiateHybridTls13OnTheWire() throws Exception {
    TestIdentities pki = new TestIdentities();
    List<Voter> real = new ArrayList<>();
    List<Voter> relayed = new ArrayList<>();
    List<TlsRelay> relays = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      int port = TestCluster.freePort();
      TlsRelay relay = track(new TlsRelay(port));
      relays.add(relay);
      real.add(new Voter("n" + i, "127.0.0.1", port));
      relayed.add(new Voter("n" + i, "127.0.0.1", relay.port()));
    }
    // Each member listens on its real port and dials the others through their relays, so every
    // connection between voters (votes, appends) and from a member's client to another member
    // crosses a relay that watches its handshake.
    Map<String, ReplicatedStore> stores = new java.util.HashMap<>();
    Map<String, SimpleMeterRegistry> registries = new java.util.HashMap<>();
    for (int i = 0; i < 3; i++) {
      List<Voter> view = new ArrayList<>(relayed);
      view.set(i, real.get(i));
      String id = real.get(i).id();
      registries.put(id, new SimpleMeterRegistry());
      stores.put(id, start(config(id, view).tls(pki.tls(id)).build(), registries.get(id)));
    }
    String leader = awaitLeader(stores);
    String writer = stores.keySet().stream().filter(id -> !id.equals(leader)).findFirst()
        .orElseThrow();
    for (int i = 0; i < 100; i++) {
      stores.get(writer).put("k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8))
          .get(10, TimeUnit.SECONDS);
    }
    assertThat(stores.get(leader).get("k99").get(10, TimeUnit.SECONDS))
        .map(v -> new String(v.value(), StandardCharsets.UTF_8)).contains("v99");
    byte[] digest = stores.get(leader).stateDigest();
    TestCluster.await(LONG, () -> stores.values().stream()
        .allMatch(s -> Arrays.equals(s.stateDigest(), digest)), "identical state on 3 voters");

    List<HandshakeObservation> seen = new ArrayList<>();
    relays.forEach(r -> seen.addAll(r.observations()));
    seen.forEach(o -> System.out.println("Raft TLS handshake on the wire: " + o));
    List<HandshakeObservation> completed = seen.stream()
        .filter(o -> o.selectedGroup().isPresent()).toList();
    // At least the leader's connections to both followers carried a full handshake.
    assertThat(completed).hasSizeGreaterThanOrEqualTo(2);
    for (HandshakeObservation o : completed) {
      assertThat(o.abandoned()).isEmpty();
      assertThat(o.negotiatedProtocol()).contains("TLSv1.3");
      assertThat(o.selectedGroupName()).contains("X25519MLKEM768");
      assertThat(o.offeredKeyShareGroups()).containsExactly(HandshakeObservation.X25519_MLKEM768);
      assertThat(o.clientHelloCount()).isEqualTo(1);
      assertThat(o.helloRetryRequestCount()).isZero();
    }

    // The servers' own view of the sessions they accepted: TLS 1.3 with an AES-GCM suite.
    double sessions = 0;
    for (SimpleMeterRegistry r : registries.values()) {
      for (Counter c : r.find("meshd.raft.tls.sessions").counters()) {
        assertThat(c.getId().getTag("protocol")).isEqualTo("TLSv1.3");
        assertThat(c.getId().getTag("cipher")).isIn(RaftTls.CIPHER_SUITES);
        sessions += c.count();
      }
      assertThat(refused(r)).isZero();
    }
    assertThat(sessions).isGreaterThanOrEqualTo(2);
  }

  @Test
  void voterWithCertificateFromAnotherCa_cannotJoinOrWrite() throws Exception {
    TestIdentities pki = new TestIdentities();
    TestIdentities foreign = new TestIdentities(); // same trust domain name, different CA key
    List<Voter> voters = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      voters.add(new Voter("n" + i, "127.0.0.1", TestCluster.freePort()));
    }
    Map<String, ReplicatedStore> stores = new java.util.HashMap<>();
    Map<String, SimpleMeterRegistry> registries = new java.util.HashMap<>();
    for (Voter v : voters) {
      boolean intruder = v.id().equals("n3");
      ConsensusConfig.Builder b = config(v.id(), voters)
          .tls((intruder ? foreign : pki).tls(v.id()));
      if (intruder) {
        b.requestTimeout(Duration.ofSeconds(3));
      }
      registries.put(v.id(), new SimpleMeterRegistry());
      stores.put(v.id(), start(b.build(), registries.get(v.id())));
    }
    ReplicatedStore intruder = stores.get("n3");
    Map<String, ReplicatedStore> members = Map.of("n1", stores.get("n1"), "n2", stores.get("n2"));
    awaitLeader(members);
    stores.get("n1").put("k", "v".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);

    assertThatThrownBy(() -> intruder.put("x", new byte[] {1}).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .satisfies(e -> System.out.println("write from the foreign voter: " + e.getCause()))
        .cause().isInstanceOf(ConsensusException.NoQuorumException.class)
        .hasMessageContaining("Raft TLS refused a peer's certificate")
        .hasMessageContaining("does not validate against the trust bundle");
    assertThat(intruder.status().role()).isNotEqualTo(ConsensusStatus.Role.LEADER);
    assertThat(intruder.get("k", ReadConsistency.STALE).get()).isEmpty();
    assertThat(intruder.status().appliedIndex()).isLessThanOrEqualTo(0);
    assertThat(linearizableGet(stores.get("n1"), "x")).isEmpty();
    // Both sides refused the other's chain, and counted it.
    assertThat(refused(registries.get("n1")) + refused(registries.get("n2"))).isPositive();
    assertThat(refused(registries.get("n3"))).isPositive();
  }

  @Test
  void plaintextClient_cannotTalkToTlsServer() throws Exception {
    TestIdentities pki = new TestIdentities();
    List<Voter> voters = List.of(new Voter("n1", "127.0.0.1", TestCluster.freePort()));
    ConsensusConfig config = config("n1", voters).tls(pki.tls("n1")).build();
    ReplicatedStore store = start(config, new SimpleMeterRegistry());
    store.put("k", new byte[] {1}).get(10, TimeUnit.SECONDS); // the TLS path works

    try (RaftClient plain = rawClient(config, null)) {
      assertThatThrownBy(() -> plain.io().send(put("plain", new byte[] {2})))
          .isInstanceOf(IOException.class)
          .satisfies(e -> System.out.println("plaintext client: " + e));
    }
    assertThat(store.get("plain").get(10, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void rotatedServerIdentity_isPresentedOnNewConnectionsWithoutRestart() throws Exception {
    TestIdentities pki = new TestIdentities();
    List<Voter> voters = List.of(new Voter("n1", "127.0.0.1", TestCluster.freePort()));
    TestIdentities.Source serverIdentity = pki.identity("n1");
    ConsensusConfig config = config("n1", voters).tls(TestIdentities.tls(serverIdentity)).build();
    ReplicatedStore store = start(config, new SimpleMeterRegistry());
    store.put("k", new byte[] {1}).get(10, TimeUnit.SECONDS);
    BigInteger first = serverIdentity.current().leaf().getSerialNumber();

    List<BigInteger> presented = new CopyOnWriteArrayList<>();
    TestIdentities.Source clientIdentity = pki.identity("client");
    SvidValidator validator = SvidValidator.builder(TestIdentities.TRUST_DOMAIN)
        .trustBundleFrom(clientIdentity).build();
    PeerVerifier recording = chain -> {
      presented.add(chain.get(0).getSerialNumber());
      return validator.verify(chain);
    };
    RaftTls clientTls = RaftTls.fromIdentity(CryptoProviders.install(), clientIdentity, recording);

    try (RaftClient c = rawClient(config, clientTls)) {
      assertThat(c.io().send(put("a", new byte[] {1})).isSuccess()).isTrue();
    }
    assertThat(presented).containsOnly(first);

    serverIdentity.rotate(pki.ca.issueNodeIdentity("n1"));
    BigInteger second = serverIdentity.current().leaf().getSerialNumber();
    assertThat(second).isNotEqualTo(first);
    presented.clear();
    try (RaftClient c = rawClient(config, clientTls)) {
      assertThat(c.io().send(put("b", new byte[] {2})).isSuccess()).isTrue();
    }
    assertThat(presented).containsOnly(second);
    assertThat(store.get("b").get(10, TimeUnit.SECONDS)).isPresent();
  }

  @Test
  void mlDsa65Svids_raftClientWritesOverHybridTls13() throws Exception {
    TestIdentities pki = new TestIdentities(SignatureAlgorithm.ML_DSA_65);
    TlsSettings mlDsa = TlsSettings.builder().mlDsaCertificates(true).build();
    int port = TestCluster.freePort();
    TlsRelay relay = track(new TlsRelay(port));
    ConsensusConfig config = config("n1", List.of(new Voter("n1", "127.0.0.1", port)))
        .tls(TestIdentities.tls(pki.identity("n1"), mlDsa)).build();
    ReplicatedStore store = start(config, new SimpleMeterRegistry());
    store.put("k", new byte[] {1}).get(20, TimeUnit.SECONDS);

    ConsensusConfig viaRelay = config("n1", List.of(new Voter("n1", "127.0.0.1", relay.port())))
        .build();
    try (RaftClient c = rawClient(viaRelay,
        TestIdentities.tls(pki.identity("client"), mlDsa))) {
      assertThat(c.io().send(put("pq", new byte[] {2})).isSuccess()).isTrue();
    }
    HandshakeObservation seen = relay.observations().get(0);
    System.out.println("ML-DSA-65 Raft TLS handshake on the wire: " + seen);
    assertThat(seen.negotiatedProtocol()).contains("TLSv1.3");
    assertThat(seen.selectedGroupName()).contains("X25519MLKEM768");
    assertThat(store.get("pq").get(20, TimeUnit.SECONDS)).isPresent();
  }

  @Test
  void notLeaderReply_clientKeepsItsConnectionToThatServer() throws Exception {
    TestIdentities pki = new TestIdentities();
    List<Voter> voters = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      voters.add(new Voter("n" + i, "127.0.0.1", TestCluster.freePort()));
    }
    Map<String, ReplicatedStore> stores = new java.util.HashMap<>();
    for (Voter v : voters) {
      // Long election timeouts: the leader must not change during the test.
      stores.put(v.id(), start(config(v.id(), voters).tls(pki.tls(v.id()))
          .electionTimeout(Duration.ofSeconds(2), Duration.ofSeconds(4)).build(),
          new SimpleMeterRegistry()));
    }
    String leader = awaitLeader(stores);
    Voter follower = voters.stream().filter(v -> !v.id().equals(leader)).findFirst()
        .orElseThrow();
    // The client reaches the follower through a relay that counts its TLS handshakes; it
    // tries the follower first, which answers "not leader" and names the leader.
    TlsRelay relay = track(new TlsRelay(follower.port()));
    List<Voter> view = new ArrayList<>(voters);
    view.set(voters.indexOf(follower), new Voter(follower.id(), "127.0.0.1", relay.port()));
    ConsensusConfig clientView = config(follower.id(), view).build();
    RaftPeerId followerId = RaftPeerId.valueOf(follower.id());
    try (RaftClient c = rawClient(clientView, pki.tls("client"), followerId)) {
      RaftClientReply write = c.async().send(put("k", new byte[] {1})).get(20, TimeUnit.SECONDS);
      assertThat(write.isSuccess()).isTrue();
      assertThat(write.getServerId()).as("answered by the leader, not the follower first tried")
          .isNotEqualTo(followerId);
      // The follower again: over the connection its "not leader" reply came back on.
      assertThat(c.getGroupManagementApi(followerId)
          .info(RaftGroupId.valueOf(clientView.groupId())).isSuccess()).isTrue();
    }
    assertThat(relay.observations()).as("TLS handshakes between the client and the follower")
        .hasSize(1);
  }

  // ---------------------------------------------------------------- helpers

  private static String awaitLeader(Map<String, ReplicatedStore> stores) {
    String[] leader = new String[1];
    TestCluster.await(LONG, () -> {
      for (Map.Entry<String, ReplicatedStore> e : stores.entrySet()) {
        if (e.getValue().status().role() == ConsensusStatus.Role.LEADER) {
          leader[0] = e.getKey();
          return true;
        }
      }
      return false;
    }, "a leader among " + stores.keySet());
    return leader[0];
  }

  /** A linearizable read, retried while leadership churns on a loaded machine. */
  private static Optional<Versioned> linearizableGet(ReplicatedStore store, String key) {
    List<Optional<Versioned>> result = new ArrayList<>();
    TestCluster.await(LONG, () -> {
      try {
        result.add(store.get(key).get(20, TimeUnit.SECONDS));
        return true;
      } catch (Exception e) {
        System.out.println("linearizable read of " + key + " retried after: " + e);
        return false;
      }
    }, "a linearizable read of " + key);
    return result.get(0);
  }

  private static double refused(MeterRegistry registry) {
    return registry.find("meshd.raft.tls.peers.refused").counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  private static Message put(String key, byte[] value) {
    byte[] bytes = KvCodec.encodeRequest(
        new Request(UUID.randomUUID(), 1, 1, List.of(new KvOp.Put(key, value))));
    return Message.valueOf(ByteString.copyFrom(bytes));
  }

  /** A bare Ratis client of {@code config}'s group: plaintext when {@code tls} is null. */
  private static RaftClient rawClient(ConsensusConfig config, RaftTls tls) {
    return rawClient(config, tls, null);
  }

  /** As {@link #rawClient(ConsensusConfig, RaftTls)}, trying {@code leader} first if not null. */
  private static RaftClient rawClient(ConsensusConfig config, RaftTls tls, RaftPeerId leader) {
    RaftProperties p = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    RaftSslContexts contexts = null;
    if (tls != null) {
      RaftConfigKeys.Rpc.setType(p, new TlsGrpcRpcType());
      contexts = RaftSslContexts.build(tls, new RaftTlsMetrics(new SimpleMeterRegistry()));
    }
    List<RaftPeer> peers = config.voters().stream().map(ReplicatedStore::peer).toList();
    return RaftClient.newBuilder()
        .setProperties(p)
        .setParameters(dev.x0tta6bl4.consensus.RaftProperties.parameters(contexts))
        .setRaftGroup(RaftGroup.valueOf(RaftGroupId.valueOf(config.groupId()), peers))
        .setLeaderId(leader)
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3,
            TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build();
  }
}
