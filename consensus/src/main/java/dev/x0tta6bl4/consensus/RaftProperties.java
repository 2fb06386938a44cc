package dev.x0tta6bl4.consensus;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Translates a {@link ConsensusConfig} into Ratis properties, in one place, with the reason for
 * every value that differs from Ratis' default.
 */
final class RaftProperties {
  private RaftProperties() {}

  static org.apache.ratis.conf.RaftProperties server(ConsensusConfig c) {
    org.apache.ratis.conf.RaftProperties p = new org.apache.ratis.conf.RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(c.storageDir().toFile()));
    Voter self = c.self();
    GrpcConfigKeys.Server.setHost(p, self.host());
    GrpcConfigKeys.Server.setPort(p, self.port());
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(c.electionTimeoutMin().toMillis()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(c.electionTimeoutMax().toMillis()));
    c.firstElectionTimeoutMin().ifPresent(d ->
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, ms(d.toMillis())));
    c.firstElectionTimeoutMax().ifPresent(d ->
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, ms(d.toMillis())));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, ms(c.rpcTimeout().toMillis()));
    // A leader that stops hearing from a majority steps down and, by Ratis' default, stands for
    // election again only 10 s later. With one voter of three dead, that ex-leader often holds
    // the longest log (the entry of its short term), so the other survivor cannot win either:
    // the group stalled for those 10 s after a kill -9 of the leader's JVM (LeaderKillIT).
    // Pre-vote already keeps a partitioned ex-leader from disrupting the group, so wait one
    // election timeout only.
    RaftServerConfigKeys.LeaderElection.setPreVote(p, true);
    RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p,
        ms(c.electionTimeoutMax().toMillis()));
    // Linearizable reads through read index (Ratis' default answers from the leader's state
    // without confirming leadership).
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.setCloseThreshold(p, ms(c.closeThreshold().toMillis()));

    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, c.snapshotThreshold());
    // Ratis keeps every snapshot by default.
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, c.snapshotRetention());
    // On-demand snapshots are taken whenever something was applied since the last one.
    RaftServerConfigKeys.Snapshot.setCreationGap(p, 1);

    // Small segments so that purging behind a snapshot frees space (the 32 MB default is rarely
    // closed, and only closed segments are purged).
    SizeInBytes segment = SizeInBytes.valueOf(c.segmentSizeBytes());
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, segment);
    RaftServerConfigKeys.Log.setPreallocatedSize(p,
        SizeInBytes.valueOf(Math.min(c.segmentSizeBytes(), 4L << 20)));
    // The appender ships entries of up to a batch of 4 x maxValueBytes; Ratis requires the log
    // write buffer to exceed the appender's byte limit.
    long largestEntry = 4L * c.maxValueBytes() + (64 << 10);
    long appenderLimit = Math.max(largestEntry, 4L << 20);
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(appenderLimit));
    RaftServerConfigKeys.Log.setWriteBufferSize(p,
        SizeInBytes.valueOf(appenderLimit + (64 << 10)));
    GrpcConfigKeys.setMessageSizeMax(p,
        SizeInBytes.valueOf(Math.max(2 * largestEntry, 64L << 20)));
    // Purge up to the snapshot even when a follower is behind: the follower then gets the
    // snapshot installed instead of pinning the whole log. Keep some entries behind it, so a
    // corrupt newest snapshot can fall back to the previous one plus the log.
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, c.logPreservedEntries());
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.max(1, Math.min(1024,
        c.snapshotThreshold() / 2)));
    // Ratis backs off to 5 s between retries to an unreachable follower after about 20 s;
    // a returning follower then idles for seconds. Retry a lost follower every second instead.
    RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, 100ms,100, 1s,1000000");
    tls(c, p);
    return p;
  }

  static org.apache.ratis.conf.RaftProperties client(ConsensusConfig c) {
    org.apache.ratis.conf.RaftProperties p = new org.apache.ratis.conf.RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, ms(c.rpcTimeout().toMillis()));
    GrpcConfigKeys.setMessageSizeMax(p,
        SizeInBytes.valueOf(Math.max(8L * c.maxValueBytes(), 64L << 20)));
    tls(c, p);
    return p;
  }

  /** With TLS, Ratis builds its gRPC transport through {@link TlsGrpcRpcType}. */
  private static void tls(ConsensusConfig c, org.apache.ratis.conf.RaftProperties p) {
    if (c.tls().isPresent()) {
      RaftConfigKeys.Rpc.setType(p, new TlsGrpcRpcType());
    }
  }

  /** The Ratis parameters of server and client: the TLS contexts, when TLS is on. */
  static Parameters parameters(RaftSslContexts tls) {
    Parameters p = new Parameters();
    if (tls != null) {
      p.put(RaftSslContexts.PARAMETER, tls, RaftSslContexts.class);
    }
    return p;
  }

  private static TimeDuration ms(long millis) {
    return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
  }
}
