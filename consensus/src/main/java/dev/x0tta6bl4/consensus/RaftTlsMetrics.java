package dev.x0tta6bl4.consensus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TLS meters of one Raft member's port: peers refused by the trust manager, by the side that
 * presented the chain, and TLS sessions the Raft server accepted, by protocol and cipher suite.
 * Updated from gRPC event loops; closed (meters removed) by {@link ReplicatedStore#close()}.
 */
final class RaftTlsMetrics implements AutoCloseable {
  private final OwnedMeters meters;
  private final Map<String, Counter> sessions = new ConcurrentHashMap<>();
  final Counter refusedClients;
  final Counter refusedServers;
  private volatile String lastRefusal;
  private volatile long lastRefusalNanos;

  RaftTlsMetrics(MeterRegistry registry) {
    this.meters = new OwnedMeters(registry);
    refusedClients = refused("client");
    refusedServers = refused("server");
  }

  private Counter refused(String side) {
    return meters.counter("meshd.raft.tls.peers.refused",
        "Raft TLS handshakes refused because the peer's certificate chain failed"
            + " the SPIFFE/PKIX check (side = the role of the refused peer)", "side", side);
  }

  /** Remembers why a peer's chain was refused, for the error of a request that then fails. */
  void refused(String side, String reason) {
    lastRefusal = side + " " + reason;
    lastRefusalNanos = System.nanoTime();
  }

  /** The last refusal, if it happened within {@code window}. */
  Optional<String> lastRefusal(Duration window) {
    String reason = lastRefusal;
    if (reason == null || System.nanoTime() - lastRefusalNanos > window.toNanos()) {
      return Optional.empty();
    }
    return Optional.of(reason);
  }

  /** Counts one TLS session accepted by this node's Raft server. */
  void sessionAccepted(String protocol, String cipherSuite) {
    sessions.computeIfAbsent(protocol + "/" + cipherSuite, k -> meters.counter(
        "meshd.raft.tls.sessions",
        "TLS sessions accepted by this node's Raft server, by negotiated protocol and cipher suite",
        "protocol", protocol, "cipher", cipherSuite)).increment();
  }

  @Override
  public void close() {
    meters.close();
    sessions.clear();
  }
}
