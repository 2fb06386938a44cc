package dev.x0tta6bl4.consensus;

import dev.x0tta6bl4.consensus.ConsensusException.DiskFullException;
import dev.x0tta6bl4.consensus.ConsensusException.NoQuorumException;
import dev.x0tta6bl4.consensus.ConsensusException.NotLeaderException;
import dev.x0tta6bl4.consensus.ConsensusException.StorageFailureException;
import dev.x0tta6bl4.consensus.ConsensusException.ValueTooLargeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.impl.RaftClientRpcWithProxy;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.ReadException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpcWithProxy;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated store of one node: a Ratis server for the configured group and a Ratis client
 * whose {@code CountingRetryPolicy} looks for a new leader every 25 ms while a leader change
 * lasts. Writes go through a {@link CommandBatcher} (several operations share one Raft entry
 * under load) or explicitly as a batch; reads are linearizable (read index on the leader, waiting
 * out an election up to the request timeout) unless {@link ReadConsistency#STALE} is asked for,
 * which reads this node's applied state. Voters are added and removed one at a time.
 *
 * <p>Every operation returns a {@link CompletableFuture} failed with a {@link ConsensusException}
 * subtype on error: {@link NotLeaderException}, {@link NoQuorumException},
 * {@link ValueTooLargeException}, {@link StorageFailureException} (and its subtype
 * {@link DiskFullException}). Thread-safe. Created by {@link #start}; the caller closes it,
 * which stops client and server (idempotent). In the node a {@link ConsensusSupervisor} owns it:
 * it may refuse writes early and replaces the store after Ratis closed the server or its log
 * failed, so callers fetch the current store from the supervisor for every operation.
 */
public final class ReplicatedStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedStore.class);

  private final ConsensusConfig config;
  private final RaftGroup group;
  private final RaftPeerId selfId;
  private final RaftMetrics metrics;
  private final RaftTlsMetrics tlsMetrics;
  private final SnapshotStore snapshots;
  private final KvStateMachine stateMachine;
  private final RaftServer server;
  private final RaftClient client;
  private final ExecutorService admin;
  /**
   * Schedules the next attempt of a linearizable read that found no leader, and runs the
   * {@link LeaderLossWatch}.
   */
  private final ScheduledExecutorService timer;
  private final CountingRetryPolicy retryPolicy;
  private final CommandBatcher batcher;
  private final AtomicLong nextSeq = new AtomicLong(1);
  private final ConcurrentSkipListSet<Long> outstanding = new ConcurrentSkipListSet<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final UUID clientId;
  /** Set by a {@link ConsensusSupervisor} to refuse writes early (disk low, log failed). */
  private volatile Supplier<? extends ConsensusException> writeRefusal;
  /** Likewise for linearizable reads (Ratis closes its log after a failed write). */
  private volatile Supplier<? extends ConsensusException> linearizableReadRefusal;

  private ReplicatedStore(ConsensusConfig config, MeterRegistry registry, UUID clientId)
      throws IOException {
    this.config = config;
    this.clientId = clientId;
    this.selfId = RaftPeerId.valueOf(config.nodeId());
    List<RaftPeer> peers = new ArrayList<>();
    for (Voter v : config.voters()) {
      peers.add(peer(v));
    }
    RaftGroupId groupId = RaftGroupId.valueOf(config.groupId());
    this.group = RaftGroup.valueOf(groupId, peers);
    this.metrics = new RaftMetrics(registry);
    this.tlsMetrics = config.tls().isPresent() ? new RaftTlsMetrics(registry) : null;
    this.snapshots = new SnapshotStore(config.clock(), metrics);
    this.stateMachine = new KvStateMachine(snapshots, metrics);
    this.admin = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "meshd-raft-admin-" + config.nodeId());
      t.setDaemon(true);
      return t;
    });
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "meshd-raft-timer-" + config.nodeId());
      t.setDaemon(true);
      return t;
    });
    this.retryPolicy = new CountingRetryPolicy(config, metrics.clientRetries);
    RaftServer builtServer = null;
    RaftClient builtClient = null;
    try {
      org.apache.ratis.conf.Parameters parameters = RaftProperties.parameters(
          tlsMetrics == null ? null : RaftSslContexts.build(config.tls().get(), tlsMetrics));
      config.tls().ifPresent(t -> LOG.info("Raft member '{}' on {}: mutual TLS, {}",
          config.nodeId(), config.self().address(), t.description()));
      builtServer = RaftServer.newBuilder()
          .setParameters(parameters)
          .setServerId(selfId)
          .setStateMachine(stateMachine)
          .setProperties(RaftProperties.server(config))
          .setGroup(config.joining() ? RaftGroup.valueOf(groupId) : group)
          .setOption(Files.isDirectory(config.storageDir().resolve(config.groupId().toString()))
              ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
          .build();
      builtServer.start();
      builtClient = RaftClient.newBuilder()
          .setProperties(RaftProperties.client(config))
          .setParameters(parameters)
          .setRaftGroup(group)
          .setClientId(ClientId.valueOf(clientId))
          .setRetryPolicy(retryPolicy)
          .build();
    } catch (IOException | RuntimeException e) {
      closeQuietly(builtClient);
      closeQuietly(builtServer);
      admin.shutdownNow();
      timer.shutdownNow();
      metrics.close();
      closeQuietly(tlsMetrics);
      throw e;
    }
    this.server = builtServer;
    this.client = builtClient;
    this.batcher = new CommandBatcher(config.maxBatchOps(), config.maxInFlightBatches(),
        this::submit, metrics.batchedOps::increment);
    registerGauges();
    // Also on a lone voter: add-voter may grow its group while it runs. While the member leads
    // or follows a live connection, a check is a few field reads.
    if (config.fastFailover() && DivisionMember.SUPPORTED) {
      LeaderLossWatch watch = new LeaderLossWatch(config.nodeId(),
          new DivisionMember(server, groupId), config.electionTimeoutMin(),
          LeaderLossWatch.step(config.electionTimeoutMin(), config.electionTimeoutMax()),
          metrics.fastElections);
      long period = LeaderLossWatch.PERIOD.toNanos();
      AtomicBoolean warned = new AtomicBoolean();
      timer.scheduleWithFixedDelay(() -> {
        try {
          watch.check();
        } catch (RuntimeException e) { // once, not every 10 ms; the next check tries again
          if (warned.compareAndSet(false, true)) {
            LOG.warn("leader-loss watch of '{}' failed", config.nodeId(), e);
          }
        }
      }, period, period, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Starts the Raft server and client of this node. Fails with {@link StorageFailureException}
   * when the storage cannot be opened (for example the log begins after the newest valid
   * snapshot).
   */
  public static ReplicatedStore start(ConsensusConfig config, MeterRegistry registry) {
    return start(config, registry, config.clientId());
  }

  /**
   * Starts with an explicit client id. A rebuilt server on the same storage needs a fresh one:
   * the state machine remembers the old client's sequence numbers, so a new client restarting
   * at 1 under the old id would be answered from that memory instead of being applied.
   */
  static ReplicatedStore start(ConsensusConfig config, MeterRegistry registry, UUID clientId) {
    try {
      ReplicatedStore store = new ReplicatedStore(config, registry, clientId);
      LeaderPathWarmup.startOnce(); // any member may be the next leader
      return store;
    } catch (IOException e) {
      throw new StorageFailureException("cannot start the Raft server of '" + config.nodeId()
          + "' on " + config.storageDir() + ": " + rootMessage(e), e);
    } catch (RuntimeException e) {
      if (rootCause(e) instanceof IOException io) {
        throw new StorageFailureException("cannot start the Raft server of '" + config.nodeId()
            + "' on " + config.storageDir() + ": " + rootMessage(io), e);
      }
      throw e;
    }
  }

  static RaftPeer peer(Voter v) {
    return RaftPeer.newBuilder().setId(v.id()).setAddress(v.address()).build();
  }

  // ---------------------------------------------------------------- writes

  /** Writes {@code value}; completes with the new version. */
  public CompletableFuture<Long> put(String key, byte[] value) {
    return single(new KvOp.Put(key, value)).thenApply(OpResult::version);
  }

  /** Compare-and-set on version (0 = must be absent); see {@link KvOp.CompareAndSet}. */
  public CompletableFuture<OpResult> compareAndSet(String key, long expectedVersion, byte[] value) {
    return single(new KvOp.CompareAndSet(key, expectedVersion, value));
  }

  /** Deletes {@code key}; completes with true when it existed. */
  public CompletableFuture<Boolean> delete(String key) {
    return single(new KvOp.Delete(key, 0)).thenApply(OpResult::ok);
  }

  /** Adds or replaces an entry of the member registry. */
  public CompletableFuture<OpResult> putMember(Member member) {
    return single(new KvOp.PutMember(member));
  }

  /** Sets a cluster setting. */
  public CompletableFuture<OpResult> putSetting(String name, String value) {
    return single(new KvOp.PutSetting(name, value));
  }

  /** Submits one operation through the batcher. */
  public CompletableFuture<OpResult> single(KvOp op) {
    Supplier<? extends ConsensusException> refusal = writeRefusal;
    if (refusal != null) {
      return CompletableFuture.failedFuture(refusal.get());
    }
    try {
      checkSize(List.of(op));
    } catch (ValueTooLargeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return batcher.submit(op);
  }

  /**
   * Submits operations as one Raft entry, applied in order (not atomically: each has its own
   * result). Identified by this client's id and a sequence number, so a retry is applied once.
   */
  public CompletableFuture<List<OpResult>> submit(List<KvOp> ops) {
    Supplier<? extends ConsensusException> refusal = writeRefusal;
    if (refusal != null) {
      return CompletableFuture.failedFuture(refusal.get());
    }
    if (closed.get()) {
      return CompletableFuture.failedFuture(new ConsensusException("store is closed"));
    }
    try {
      checkSize(ops);
    } catch (ValueTooLargeException e) {
      return CompletableFuture.failedFuture(e);
    }
    long seq = nextSeq.getAndIncrement();
    outstanding.add(seq);
    long firstOutstanding = outstanding.isEmpty() ? seq : Math.min(seq, outstanding.first());
    byte[] bytes = KvCodec.encodeRequest(new Request(clientId, seq, firstOutstanding, ops));
    Timer.Sample sample = Timer.start();
    return deadline(client.async().send(Message.valueOf(ByteString.copyFrom(bytes))))
        .handle((reply, error) -> {
          outstanding.remove(seq);
          sample.stop(metrics.requestLatency);
          if (error != null) {
            throw new CompletionException(withTlsReason(map(error)));
          }
          List<OpResult> results = KvCodec.decodeResults(
              reply.getMessage().getContent().asReadOnlyByteBuffer());
          if (results.size() != ops.size()) {
            throw new CompletionException(new ConsensusException("the state machine answered "
                + results.size() + " results for " + ops.size() + " operations: " + results));
          }
          return results;
        });
  }

  private void checkSize(List<KvOp> ops) {
    long total = 0;
    for (KvOp op : ops) {
      byte[] v = op instanceof KvOp.Put p ? p.value()
          : op instanceof KvOp.CompareAndSet c ? c.value() : null;
      if (v != null) {
        if (v.length > config.maxValueBytes()) {
          throw new ValueTooLargeException("value of " + v.length + " bytes exceeds the limit of "
              + config.maxValueBytes() + " bytes");
        }
        total += v.length;
      }
    }
    if (total > 4L * config.maxValueBytes()) {
      throw new ValueTooLargeException("batch of " + total + " value bytes exceeds the limit of "
          + 4L * config.maxValueBytes() + " bytes (4 x maxValueBytes)");
    }
  }

  // ---------------------------------------------------------------- reads

  /** Linearizable read of one key. */
  public CompletableFuture<Optional<Versioned>> get(String key) {
    return get(key, ReadConsistency.LINEARIZABLE);
  }

  public CompletableFuture<Optional<Versioned>> get(String key, ReadConsistency consistency) {
    return query(new Query.Get(key), consistency)
        .thenApply(a -> ((QueryResult.Value) a).value());
  }

  public CompletableFuture<List<Member>> members(ReadConsistency consistency) {
    return query(new Query.Members(), consistency)
        .thenApply(a -> ((QueryResult.Members) a).members());
  }

  public CompletableFuture<Map<String, String>> settings(ReadConsistency consistency) {
    return query(new Query.Settings(), consistency)
        .thenApply(a -> ((QueryResult.Settings) a).settings());
  }

  private CompletableFuture<QueryResult> query(Query q, ReadConsistency consistency) {
    if (consistency == ReadConsistency.STALE) {
      return CompletableFuture.completedFuture(stateMachine.read(s -> s.query(q)));
    }
    Supplier<? extends ConsensusException> refusal = linearizableReadRefusal;
    if (refusal != null) {
      return CompletableFuture.failedFuture(refusal.get());
    }
    if (closed.get()) {
      return CompletableFuture.failedFuture(new NoQuorumException("the Raft server of '"
          + config.nodeId() + "' is closed (a supervisor may be rebuilding it); retry, or read"
          + " with STALE consistency", null));
    }
    Message message = Message.valueOf(ByteString.copyFrom(KvCodec.encodeQuery(q)));
    CompletableFuture<QueryResult> answer = new CompletableFuture<>();
    AtomicReference<Throwable> lastLeaderless = new AtomicReference<>();
    long deadline = System.nanoTime() + config.requestTimeout().toNanos();
    readAttempt(message, 1, deadline, answer, lastLeaderless);
    return answer.orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle((result, error) -> {
          if (error == null) {
            return result;
          }
          Throwable leaderless = lastLeaderless.get();
          if (leaderless != null && rootCause(error) instanceof TimeoutException) {
            throw new CompletionException(withTlsReason(noLeaderForRead(leaderless)));
          }
          throw new CompletionException(withTlsReason(map(error)));
        });
  }

  /**
   * One attempt of a linearizable read. Ratis retries a read itself after a failed connection
   * or a "not leader" reply, but answers a follower's "no leader known" (read index) at once;
   * during an election that reply is retried here on the failover schedule of the client's retry
   * policy (25 ms apart by default) until the request deadline, so a read waits for the new
   * leader like a write does. In Ratis' ordered stream a request whose retries run out fails
   * every request queued behind it (RaftRetryFailureException), so a read would share the fate of
   * a write (or of Ratis' first "dummy" watch request) that had been failing longer: that is
   * retried too while the read's own deadline lasts. Every other failure ends the read. (Reads
   * stay on the ordered stream: sent unordered, a read's failure handling reset the connection
   * under a concurrent write, which then waited out the 3 s RPC timeout.)
   */
  private void readAttempt(Message message, int attempt, long deadline,
      CompletableFuture<QueryResult> answer, AtomicReference<Throwable> lastLeaderless) {
    if (answer.isDone()) {
      return;
    }
    client.async().sendReadOnly(message).whenComplete((reply, error) -> {
      Throwable failure = error != null ? error
          : reply.isSuccess() ? null : reply.getException();
      if (failure == null) {
        try {
          answer.complete(KvCodec.decodeAnswer(
              reply.getMessage().getContent().asReadOnlyByteBuffer()));
        } catch (RuntimeException e) {
          answer.completeExceptionally(e);
        }
        return;
      }
      if (!isLeaderless(failure) || closed.get()) {
        answer.completeExceptionally(failure);
        return;
      }
      lastLeaderless.set(failure);
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        answer.completeExceptionally(noLeaderForRead(failure));
        return;
      }
      // The last sleep is cut short to the deadline, so the read tries until it passes.
      long sleep = Math.min(TimeUnit.MILLISECONDS.toNanos(
          retryPolicy.sleepMillis(CountingRetryPolicy.Kind.FAILOVER, attempt)), remaining);
      metrics.clientRetries.increment();
      try {
        timer.schedule(() -> readAttempt(message, attempt + 1, deadline, answer,
            lastLeaderless), sleep, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closing) {
        answer.completeExceptionally(failure);
      }
    });
  }

  /** A read index that could not be had because the group has no leader right now. */
  static boolean isLeaderless(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ReadIndexException || t instanceof ReadException
          || t instanceof RaftRetryFailureException) {
        return true;
      }
    }
    return false;
  }

  private NoQuorumException noLeaderForRead(Throwable last) {
    return new NoQuorumException("no quorum: no leader confirmed the linearizable read within "
        + config.requestTimeout().toMillis() + " ms (last: " + rootMessage(last)
        + "); retry, or read with STALE consistency", last);
  }

  private CompletableFuture<RaftClientReply> deadline(CompletableFuture<RaftClientReply> f) {
    return f.thenApply(reply -> {
      if (!reply.isSuccess()) {
        throw new CompletionException(reply.getException());
      }
      return reply;
    }).orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- admin

  /** Asks this node's server to take a snapshot now; completes with its log index. */
  public CompletableFuture<Long> snapshot() {
    return adminCall(() -> client.getSnapshotManagementApi(selfId)
        .create(1, config.requestTimeout().toMillis()))
        .thenApply(RaftClientReply::getLogIndex);
  }

  /**
   * Adds one voter through the List form of setConfiguration. The new node must be running
   * (started with {@link ConsensusConfig.Builder#joining}); it catches up before it votes.
   */
  public CompletableFuture<Void> addVoter(Voter voter) {
    return adminCall(() -> {
      List<RaftPeer> peers = new ArrayList<>(currentPeers());
      if (peers.stream().anyMatch(p -> p.getId().toString().equals(voter.id()))) {
        throw new IllegalArgumentException("voter '" + voter.id() + "' is already a member");
      }
      peers.add(peer(voter));
      return client.admin().setConfiguration(peers);
    }).thenApply(r -> null);
  }

  /** Removes one voter (the leader too: it steps down after the change commits). */
  public CompletableFuture<Void> removeVoter(String voterId) {
    return adminCall(() -> {
      List<RaftPeer> peers = new ArrayList<>(currentPeers());
      if (!peers.removeIf(p -> p.getId().toString().equals(voterId))) {
        throw new IllegalArgumentException("voter '" + voterId + "' is not a member");
      }
      if (peers.isEmpty()) {
        throw new IllegalArgumentException("cannot remove the last voter '" + voterId + "'");
      }
      return client.admin().setConfiguration(peers);
    }).thenApply(r -> null);
  }

  /** Asks the group to move leadership to {@code voterId}. */
  public CompletableFuture<Void> transferLeadership(String voterId) {
    return adminCall(() -> client.admin().transferLeadership(RaftPeerId.valueOf(voterId),
        config.requestTimeout().toMillis())).thenApply(r -> null);
  }

  /**
   * The voters of the group's current configuration as this node knows it (after {@link
   * #addVoter} or {@link #removeVoter} commit, the new set), in configuration order.
   */
  public List<Voter> voters() {
    try {
      List<Voter> voters = new ArrayList<>();
      for (RaftPeer p : currentPeers()) {
        String address = p.getAddress();
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        voters.add(new Voter(p.getId().toString(), host,
            Integer.parseInt(address.substring(colon + 1))));
      }
      return voters;
    } catch (IOException e) {
      throw new StorageFailureException("the Raft group of '" + config.nodeId()
          + "' is not available: " + rootMessage(e), e);
    }
  }

  private List<RaftPeer> currentPeers() throws IOException {
    return new ArrayList<>(server.getDivision(group.getGroupId()).getRaftConf().getCurrentPeers());
  }

  private interface AdminCall {
    RaftClientReply call() throws IOException;
  }

  private CompletableFuture<RaftClientReply> adminCall(AdminCall call) {
    CompletableFuture<RaftClientReply> f = new CompletableFuture<>();
    admin.execute(() -> {
      try {
        RaftClientReply reply = call.call();
        if (!reply.isSuccess()) {
          f.completeExceptionally(map(reply.getException()));
        } else {
          f.complete(reply);
        }
      } catch (IllegalArgumentException e) {
        f.completeExceptionally(e);
      } catch (IOException | RuntimeException e) {
        f.completeExceptionally(map(e));
      }
    });
    return f;
  }

  // ---------------------------------------------------------------- status

  /** Role, leader, indexes, snapshot and follower lag of this node, read now. */
  public ConsensusStatus status() {
    try {
      RaftServer.Division d = server.getDivision(group.getGroupId());
      DivisionInfo info = d.getInfo();
      long commit = d.getRaftLog().getLastCommittedIndex();
      List<ConsensusStatus.FollowerLag> followers = new ArrayList<>();
      if (info.isLeader()) {
        for (CommitInfoProto ci : d.getCommitInfos()) {
          String id = RaftPeerId.valueOf(ci.getServer().getId()).toString();
          if (!id.equals(config.nodeId())) {
            followers.add(new ConsensusStatus.FollowerLag(id, ci.getCommitIndex(),
                Math.max(0, commit - ci.getCommitIndex())));
          }
        }
      }
      Optional<SnapshotStore.Snapshot> snap = snapshots.latest();
      return new ConsensusStatus(config.nodeId(), role(info),
          Optional.ofNullable(info.getLeaderId()).map(RaftPeerId::toString),
          info.getCurrentTerm(), commit, info.getLastAppliedIndex(),
          snap.map(SnapshotStore.Snapshot::index).orElse(-1L),
          snap.map(s -> Duration.ofMillis(Math.max(0,
              config.clock().millis() - s.createdMillis()))),
          followers, info.getLifeCycleState().toString(),
          stateMachine.logFailure().map(ReplicatedStore::rootMessage));
    } catch (IOException e) {
      return new ConsensusStatus(config.nodeId(), ConsensusStatus.Role.UNKNOWN, Optional.empty(),
          0, -1, -1, -1, Optional.empty(), List.of(), "NO_GROUP: " + e.getMessage(),
          stateMachine.logFailure().map(ReplicatedStore::rootMessage));
    }
  }

  /**
   * How long ago this member last heard from each peer it tracks, read from memory (cheap enough
   * for a sensor): as leader, every follower (its last reply to an append-entries or heartbeat);
   * as follower, the leader. Empty as candidate or listener, or when the group is gone. A peer
   * that never answered shows the time since this member became leader.
   */
  public Map<String, Duration> peerContact() {
    try {
      RoleInfoProto info = server.getDivision(group.getGroupId()).getInfo().getRoleInfoProto();
      Map<String, Duration> contact = new java.util.LinkedHashMap<>();
      if (info.hasLeaderInfo()) {
        for (ServerRpcProto f : info.getLeaderInfo().getFollowerInfoList()) {
          putContact(contact, f);
        }
      } else if (info.hasFollowerInfo() && info.getFollowerInfo().hasLeaderInfo()) {
        putContact(contact, info.getFollowerInfo().getLeaderInfo());
      }
      return contact;
    } catch (IOException e) {
      return Map.of();
    }
  }

  private static void putContact(Map<String, Duration> contact, ServerRpcProto peer) {
    // Ratis fills the id only once the peer is known (a new leader's list can lag behind).
    if (!peer.getId().getId().isEmpty()) {
      contact.put(peer.getId().getId().toStringUtf8(),
          Duration.ofMillis(Math.max(0, peer.getLastRpcElapsedTimeMs())));
    }
  }

  /**
   * Purges this member's Raft log up to {@code index} (normally the newest snapshot's), keeping
   * the entries Ratis is configured to preserve; only closed segments are deleted. Ratis also
   * purges behind every snapshot by itself, so right after one this often finds nothing left:
   * it then completes with the last purged index or -1 (Ratis' answer), else with the index it
   * purged up to. For an operator (or the self-healing loop) that needs the space now.
   */
  public CompletableFuture<Long> purgeLog(long index) {
    try {
      return server.getDivision(group.getGroupId()).getRaftLog().purge(index);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(map(e));
    }
  }

  private static ConsensusStatus.Role role(DivisionInfo info) {
    switch (info.getCurrentRole()) {
      case LEADER:
        return ConsensusStatus.Role.LEADER;
      case FOLLOWER:
        return ConsensusStatus.Role.FOLLOWER;
      case CANDIDATE:
        return ConsensusStatus.Role.CANDIDATE;
      case LISTENER:
        return ConsensusStatus.Role.LISTENER;
      default:
        return ConsensusStatus.Role.UNKNOWN;
    }
  }

  /** Bytes of Raft log segments on disk (a directory listing: cheap, but it touches the disk). */
  public long logSizeBytes() {
    Path dir = config.storageDir().resolve(config.groupId().toString()).resolve("current");
    long total = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "log_*")) {
      for (Path p : files) {
        total += Files.size(p);
      }
    } catch (IOException e) {
      LOG.debug("cannot size the Raft log in {}", dir, e);
    }
    return total;
  }

  /** First index still in this member's Raft log (grows as the log is purged). */
  public long logStartIndex() {
    try {
      return server.getDivision(group.getGroupId()).getRaftLog().getStartIndex();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Digest of the applied state (tests compare replicas with it). */
  byte[] stateDigest() {
    return stateMachine.read(KvState::digest);
  }

  KvStateMachine stateMachine() {
    return stateMachine;
  }

  SnapshotStore snapshots() {
    return snapshots;
  }

  /**
   * Refuses every write with the supplied error (called per refused write) until called with
   * null. Reads are not affected. Used by the supervisor.
   */
  void refuseWrites(Supplier<? extends ConsensusException> reason) {
    this.writeRefusal = reason;
  }

  /** Refuses linearizable reads like {@link #refuseWrites}; STALE reads are still served. */
  void refuseLinearizableReads(Supplier<? extends ConsensusException> reason) {
    this.linearizableReadRefusal = reason;
  }

  /**
   * Keeps this member's Raft connections to the other voters open, its server's and its client's
   * ({@link PeerConnections}); returns how many other voters the server was connected to, or -1
   * when that is unknown (server not running, Ratis internals not supported).
   */
  int keepPeerConnections() {
    try {
      List<RaftPeer> peers = currentPeers();
      int connected = -1;
      if (server.getServerRpc() instanceof RaftServerRpcWithProxy<?, ?> rpc) {
        connected = PeerConnections.keep(PeerConnections.Side.SERVER, rpc.getProxies(), peers,
            selfId);
      }
      if (client.getClientRpc() instanceof RaftClientRpcWithProxy<?> rpc) {
        // Its own member too: during an election this node's client asks it first.
        PeerConnections.keep(PeerConnections.Side.CLIENT, rpc.getProxies(), peers, null);
      }
      return connected;
    } catch (IOException | RuntimeException e) {
      return -1; // closing or closed: the supervisor sees that on its own
    }
  }

  /** The Ratis client of this node (for tests of its transport). */
  RaftClient raftClient() {
    return client;
  }

  /** The Ratis server underneath; tests close it to play a server that closed itself. */
  RaftServer raftServer() {
    return server;
  }

  /**
   * Why the Raft server no longer serves this group (closed by itself, for example after a
   * JVM pause beyond the close threshold or a fatal log error), or empty while it runs.
   */
  Optional<String> serverDown() {
    LifeCycle.State proxy = server.getLifeCycleState();
    if (proxy.isClosingOrClosed() || proxy == LifeCycle.State.EXCEPTION) {
      return Optional.of("Raft server is " + proxy);
    }
    try {
      LifeCycle.State division = server.getDivision(group.getGroupId()).getInfo()
          .getLifeCycleState();
      if (division.isClosingOrClosed() || division == LifeCycle.State.EXCEPTION) {
        return Optional.of("Raft group member is " + division);
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("Raft group member is gone: " + rootMessage(e));
    }
  }

  /**
   * True when this member's latest Raft configuration is stable and no longer lists it: it was
   * removed from the group (Ratis then closes its server about an election timeout later). A
   * member that is joining and was never added has an empty configuration: false.
   */
  boolean removedFromGroup() {
    try {
      RaftConfiguration conf = server.getDivision(group.getGroupId()).getRaftConf();
      Collection<RaftPeer> current = conf.getCurrentPeers();
      return !current.isEmpty() && conf.getPreviousPeers().isEmpty()
          && current.stream().noneMatch(p -> p.getId().equals(selfId));
    } catch (IOException e) {
      return false;
    }
  }

  /** The last Raft log write failure of this server, if any (it sticks until a rebuild). */
  Optional<Throwable> logFailure() {
    return stateMachine.logFailure();
  }

  boolean isClosed() {
    return closed.get();
  }

  private void registerGauges() {
    metrics.gauge("meshd.raft.commit.index", "Commit index of this member", null, this,
        s -> s.status().commitIndex());
    metrics.gauge("meshd.raft.applied.index", "Last index applied to the state machine", null,
        this, s -> s.status().appliedIndex());
    metrics.gauge("meshd.raft.term", "Current Raft term", null, this, s -> s.status().term());
    metrics.gauge("meshd.raft.leader", "1 when this member leads the group", null, this,
        s -> s.status().role() == ConsensusStatus.Role.LEADER ? 1 : 0);
    metrics.gauge("meshd.raft.snapshot.size", "Size of the newest snapshot file", "bytes",
        snapshots, s -> s.latest().map(SnapshotStore.Snapshot::sizeBytes).orElse(0L));
    metrics.gauge("meshd.raft.snapshot.index", "Last log index in the newest snapshot", null,
        snapshots, s -> s.latest().map(SnapshotStore.Snapshot::index).orElse(-1L));
    metrics.gauge("meshd.raft.snapshot.age", "Age of the newest snapshot (NaN when none)",
        "seconds", this, s -> s.snapshots.latest()
            .map(x -> (s.config.clock().millis() - x.createdMillis()) / 1000.0)
            .orElse(Double.NaN));
    metrics.gauge("meshd.raft.log.size", "Bytes of Raft log segments on disk", "bytes", this,
        ReplicatedStore::logSizeBytes);
    metrics.gauge("meshd.raft.kv.keys", "Keys in the replicated store", null, stateMachine,
        sm -> sm.read(KvState::size));
  }

  // ---------------------------------------------------------------- errors

  /** Maps a Ratis or future failure to the typed errors of this module. */
  static ConsensusException map(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ConsensusException ce) {
      return ce;
    }
    if (e instanceof org.apache.ratis.protocol.exceptions.NotLeaderException nle) {
      return notLeader(nle, e);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MalformedCommandException m) {
        return m;
      }
      if (isNoSpace(t)) {
        return new DiskFullException("storage of the Raft log is full: " + rootMessage(t), e);
      }
      if (t instanceof RaftLogIOException) {
        return new StorageFailureException("Raft log failure: " + rootMessage(t), e);
      }
    }
    // Retries exhausted, deadline passed or the client gave up: whatever the last attempt saw
    // (often "not leader" from a follower without a leader), the group had no quorum for us.
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof TimeoutIOException
          || t instanceof RaftRetryFailureException || t instanceof LeaderNotReadyException
          || t instanceof AlreadyClosedException) {
        return new NoQuorumException("no quorum: the request did not complete in time ("
            + rootMessage(e) + ")", e);
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.ratis.protocol.exceptions.NotLeaderException nle) {
        return notLeader(nle, e);
      }
    }
    if (e instanceof StateMachineException) {
      return new ConsensusException("state machine refused the request: " + rootMessage(e), e);
    }
    if (e instanceof IOException && rootMessage(e).toLowerCase().contains("space")) {
      return new StorageFailureException("storage failure: " + rootMessage(e), e);
    }
    return new ConsensusException("Raft request failed: " + rootMessage(e), e);
  }

  /**
   * A request that timed out while this node's Raft TLS refused a peer's certificate chain says
   * so: otherwise a trust-domain or CA mismatch would look like a plain loss of quorum.
   */
  private ConsensusException withTlsReason(ConsensusException e) {
    if (tlsMetrics == null || !(e instanceof NoQuorumException)) {
      return e;
    }
    return tlsMetrics.lastRefusal(config.requestTimeout().multipliedBy(2))
        .<ConsensusException>map(reason -> new NoQuorumException(e.getMessage()
            + "; Raft TLS refused a peer's certificate: " + reason, e))
        .orElse(e);
  }

  private static NotLeaderException notLeader(
      org.apache.ratis.protocol.exceptions.NotLeaderException nle, Throwable e) {
    return new NotLeaderException(nle.getSuggestedLeader() == null ? null
        : nle.getSuggestedLeader().getId().toString(), e);
  }

  /** True when {@code t} or a cause is the operating system's "no space left on device". */
  static boolean isNoSpace(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof IOException && c.getMessage() != null
          && c.getMessage().contains("No space left on device")) {
        return true;
      }
    }
    return false;
  }

  static Throwable rootCause(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    return r;
  }

  static String rootMessage(Throwable t) {
    Throwable r = rootCause(t);
    return r.getClass().getSimpleName() + ": " + r.getMessage();
  }

  // ---------------------------------------------------------------- lifecycle

  public ConsensusConfig config() {
    return config;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(client);
    closeQuietly(server);
    admin.shutdownNow();
    timer.shutdownNow();
    metrics.close();
    closeQuietly(tlsMetrics);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("closing {} failed", c.getClass().getSimpleName(), e);
    }
  }

}
