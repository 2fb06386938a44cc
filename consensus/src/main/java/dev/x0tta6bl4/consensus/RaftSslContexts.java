package dev.x0tta6bl4.consensus;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.apache.ratis.thirdparty.io.grpc.Attributes;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.ServerTransportFilter;
import org.apache.ratis.thirdparty.io.grpc.netty.GrpcSslContexts;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.ClientAuth;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.DelegatingSslContext;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContextBuilder;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty {@link SslContext}s (Ratis' shaded Netty) of one Raft member, built from a
 * {@link RaftTls}: a server context requiring client certificates and a client context
 * presenting this node's certificate, both TLS 1.3 with AES-GCM, ALPN {@code h2} for gRPC, on
 * the configured JSSE provider (the split BCJSSE from {@link RaftTls#fromIdentity}).
 *
 * <p>Ratis' own TLS path ({@code GrpcTlsConfig}) hard-codes the server to OpenSSL (BoringSSL)
 * and cannot take a JSSE provider; {@link TlsGrpcFactory} hands these contexts to Ratis instead.
 * Netty has no named-groups setting, so each new engine goes through
 * {@link RaftTls#engineConfigurer()} before its handshake (groups and early key share for the
 * hybrid exchange). Immutable and thread-safe; engines are created on gRPC event loops.
 */
final class RaftSslContexts {
  private static final Logger LOG = LoggerFactory.getLogger(RaftSslContexts.class);

  /** {@code Parameters} key under which {@link TlsGrpcFactory} finds the contexts. */
  static final String PARAMETER = "meshd.raft.tls.contexts";

  private static final Map<Class<?>, Method> UNWRAP = new ConcurrentHashMap<>();

  final SslContext server;
  final SslContext client;
  final ServerTransportFilter sessionCounter;

  private RaftSslContexts(SslContext server, SslContext client, RaftTlsMetrics metrics) {
    this.server = server;
    this.client = client;
    this.sessionCounter = new ServerTransportFilter() {
      @Override
      public Attributes transportReady(Attributes attributes) {
        SSLSession session = attributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session != null) {
          metrics.sessionAccepted(session.getProtocol(), session.getCipherSuite());
          LOG.debug("Raft TLS session from {}: {} {}",
              attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), session.getProtocol(),
              session.getCipherSuite());
        }
        return attributes;
      }
    };
  }

  static RaftSslContexts build(RaftTls tls, RaftTlsMetrics metrics) {
    CountingTrustManager trust = new CountingTrustManager(tls.trustManager(), metrics);
    try {
      SslContextBuilder server = configure(SslContextBuilder.forServer(tls.keyManager()), tls)
          .clientAuth(ClientAuth.REQUIRE)
          .trustManager(trust);
      SslContextBuilder client = configure(SslContextBuilder.forClient(), tls)
          .keyManager(tls.keyManager())
          .trustManager(trust);
      return new RaftSslContexts(configured(server.build(), tls),
          configured(client.build(), tls), metrics);
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException("cannot build the Raft TLS contexts over "
          + tls.description() + ": " + e.getMessage(), e);
    }
  }

  private static SslContextBuilder configure(SslContextBuilder b, RaftTls tls) {
    // GrpcSslContexts sets ALPN h2 (gRPC refuses a connection without it) and accepts BCJSSE
    // as well as SunJSSE; the protocol and suites are pinned after it, as it sets its own.
    return GrpcSslContexts.configure(b, tls.provider()).protocols("TLSv1.3")
        .ciphers(RaftTls.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE);
  }

  private static SslContext configured(SslContext context, RaftTls tls) {
    return new DelegatingSslContext(context) {
      @Override
      protected void initEngine(SSLEngine engine) {
        SSLEngine inner = unwrap(engine);
        tls.engineConfigurer().configure(inner, inner.getUseClientMode());
      }
    };
  }

  /**
   * The provider's engine under Netty's ALPN wrapper ({@code JdkSslEngine}, package-private in
   * the shaded Netty, whose public {@code getWrappedEngine()} is reached by reflection): the
   * Bouncy Castle parameters can only be set on the {@code BCSSLEngine} itself.
   */
  static SSLEngine unwrap(SSLEngine engine) {
    SSLEngine current = engine;
    for (int depth = 0; depth < 4; depth++) {
      Method m = UNWRAP.computeIfAbsent(current.getClass(), RaftSslContexts::wrappedEngineMethod);
      if (m.getDeclaringClass() == Object.class) {
        return current;
      }
      try {
        current = (SSLEngine) m.invoke(current);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot reach the JSSE engine under "
            + current.getClass().getName() + ": " + e, e);
      }
    }
    return current;
  }

  private static Method wrappedEngineMethod(Class<?> type) {
    for (Class<?> c = type; c != null && c != SSLEngine.class; c = c.getSuperclass()) {
      try {
        Method m = c.getDeclaredMethod("getWrappedEngine");
        if (SSLEngine.class.isAssignableFrom(m.getReturnType())) {
          m.setAccessible(true);
          return m;
        }
      } catch (NoSuchMethodException e) {
        // not declared here; look in the superclass
      }
    }
    try {
      return Object.class.getDeclaredMethod("hashCode"); // marker: not a wrapper
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }
}
