package dev.x0tta6bl4.consensus;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.client.GrpcClientProtocolClient;
import org.apache.ratis.grpc.client.GrpcClientRpc;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis' gRPC client transport that keeps a working connection open across a leader change.
 *
 * <p>Ratis 3.2.2 sends a client's ordered requests to a server over one gRPC stream, and a "not
 * leader" or "leader not ready" reply on that stream ends it for every later request. The client
 * then closes the whole channel to that server (after "not leader" at once, after "not ready" when
 * its next attempt finds the stream closed) and opens a new one for the next attempt: a new TCP
 * connection and a full TLS 1.3 handshake, about 70-150 ms per attempt in LeaderKillIT's node logs,
 * where a reply over an open connection takes a few. During a failover a client makes several such
 * attempts (at a follower, at the new leader before it is ready), so these handshakes were the
 * larger part of the time between the new leader being ready and the first write it acknowledged
 * ({@code docs/benchmarks.md}). Both replies come over a healthy connection, so here such a reply
 * retires only the stream it ended (the next request opens a new stream on the same channel),
 * and the channel is closed only for what Ratis also closes it for otherwise: a transport error,
 * a timeout, a stream closed by anything else.
 *
 * <p>The stream lives in private fields of Ratis' {@code GrpcClientProtocolClient}, reached by
 * reflection ({@link #SUPPORTED}). Should a Ratis upgrade move them, the class logs one warning
 * and behaves exactly as Ratis' own transport; {@code ConnectionKeepingGrpcClientRpcTest} pins
 * them.
 */
final class ConnectionKeepingGrpcClientRpc extends GrpcClientRpc {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionKeepingGrpcClientRpc.class);

  /** {@code GrpcClientProtocolClient.orderedStreamObservers}: the ordered stream, or null. */
  private static final Field ORDERED;
  /** {@code GrpcClientProtocolClient.getOrderedStreamObservers()}: the stream, opened if none. */
  private static final Method GET_ORDERED;
  /** {@code GrpcClientProtocolClient.AsyncStreamObservers.close()}: half-closes the stream. */
  private static final Method CLOSE_STREAM;
  /** Whether the reflective handles above were found (else: Ratis' own behaviour). */
  static final boolean SUPPORTED;

  static {
    Field ordered = null;
    Method get = null;
    Method close = null;
    try {
      ordered = GrpcClientProtocolClient.class.getDeclaredField("orderedStreamObservers");
      ordered.setAccessible(true);
      get = GrpcClientProtocolClient.class.getDeclaredMethod("getOrderedStreamObservers");
      get.setAccessible(true);
      close = get.getReturnType().getDeclaredMethod("close");
      close.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Ratis' gRPC client has changed ({}): a leader change closes and reopens the"
          + " client's connections as in plain Ratis", e.toString());
      ordered = null;
    }
    ORDERED = ordered;
    GET_ORDERED = get;
    CLOSE_STREAM = close;
    SUPPORTED = ordered != null;
  }

  ConnectionKeepingGrpcClientRpc(ClientId clientId, RaftProperties properties,
      SslContext adminSslContext, SslContext clientSslContext) {
    super(clientId, properties, adminSslContext, clientSslContext);
  }

  @Override
  public CompletableFuture<RaftClientReply> sendRequestAsync(RaftClientRequest request) {
    if (!SUPPORTED) {
      return super.sendRequestAsync(request);
    }
    GrpcClientProtocolClient proxy;
    Object stream;
    try {
      proxy = getProxies().getProxy(request.getServerId());
      stream = GET_ORDERED.invoke(proxy);
    } catch (IOException | ReflectiveOperationException | RuntimeException e) {
      return super.sendRequestAsync(request); // reports the failure as Ratis does
    }
    // The caller's reactions run after the stream is retired, so its retry gets a fresh one.
    return super.sendRequestAsync(request).whenComplete((reply, failure) -> {
      if (failure != null && endedByReply(failure)) {
        retire(proxy, stream);
      }
    });
  }

  @Override
  public boolean handleException(RaftPeerId serverId, Throwable t, boolean reconnect) {
    if (SUPPORTED && endedByReply(t)) {
      return false; // the server answered: the connection works
    }
    return super.handleException(serverId, t, reconnect);
  }

  /** Whether {@code t} is a server's reply that ends Ratis' ordered stream on a live connection. */
  static boolean endedByReply(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof NotLeaderException || c instanceof LeaderNotReadyException) {
        return true;
      }
    }
    return false;
  }

  /** Drops {@code stream} from {@code proxy} (if still current) and half-closes it. */
  private static void retire(GrpcClientProtocolClient proxy, Object stream) {
    try {
      @SuppressWarnings("unchecked")
      AtomicReference<Object> current = (AtomicReference<Object>) ORDERED.get(proxy);
      if (current.compareAndSet(stream, null)) {
        CLOSE_STREAM.invoke(stream);
      }
    } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
      // The stream stays dead, so the next attempt fails as "closed" and Ratis reconnects.
      LOG.debug("could not retire a Raft client stream", e);
    }
  }
}
