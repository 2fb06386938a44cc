package dev.x0tta6bl4.pqc;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import io.netty.handler.ssl.util.TrustManagerFactoryWrapper;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;

/**
 * Builds the TLS side of every mesh link: Netty {@link SslContext}s (server and client) over the
 * split Bouncy Castle JSSE provider, TLS 1.3 only, client authentication required, AES-GCM
 * suites only, key material read from an {@link IdentitySource} on every handshake (rotation
 * needs no restart) and peers judged by a {@link PeerVerifier} in both directions.
 *
 * <p>Netty has no named-groups setting, so use {@link #newServerHandler} and
 * {@link #newClientHandler} (or the engine variants): they set the key-exchange groups and the
 * early key share on each engine, so a default client sends exactly one X25519MLKEM768 share
 * and never needs a HelloRetryRequest. Built once by the composition root; thread-safe; holds
 * no resources of its own (the identity source is closed by its owner).
 */
public final class TlsContextFactory {

  /** The signature schemes enabled when ML-DSA-65 certificates are switched on. */
  static final String[] SIGNATURE_SCHEMES_WITH_MLDSA = {
    "ed25519", "mldsa65", "ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384",
    "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_pss_sha256"
  };

  private final TlsSettings settings;
  private final SslContext server;
  private final SslContext client;

  public TlsContextFactory(
      CryptoProviders providers,
      IdentitySource identities,
      PeerVerifier verifier,
      TlsSettings settings) {
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(identities, "identities");
    Objects.requireNonNull(verifier, "verifier");
    this.settings = Objects.requireNonNull(settings, "settings");
    RotatingKeyManager keys =
        new RotatingKeyManager(identities, providers.bouncyCastle(), providers.jsse());
    PeerVerifyingTrustManager trust = new PeerVerifyingTrustManager(verifier, identities);
    try {
      this.server =
          configure(SslContextBuilder.forServer(new KeyManagerFactoryWrapper(keys)), providers, trust)
              .clientAuth(ClientAuth.REQUIRE)
              .build();
      this.client =
          configure(SslContextBuilder.forClient().keyManager(new KeyManagerFactoryWrapper(keys)),
                  providers, trust)
              .build();
    } catch (SSLException e) {
      throw new TlsSetupException("cannot build TLS contexts over " + providers.jsse().getName()
          + ": " + e.getMessage(), e);
    }
  }

  private static SslContextBuilder configure(
      SslContextBuilder b, CryptoProviders providers, PeerVerifyingTrustManager trust) {
    return b.sslProvider(SslProvider.JDK)
        .sslContextProvider(providers.jsse())
        .protocols("TLSv1.3")
        .ciphers(TlsSettings.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
        .trustManager(new TrustManagerFactoryWrapper(trust));
  }

  public TlsSettings settings() {
    return settings;
  }

  /** The server context (engines from it are not yet group-configured: prefer the handlers). */
  public SslContext serverContext() {
    return server;
  }

  /** The client context (engines from it are not yet group-configured: prefer the handlers). */
  public SslContext clientContext() {
    return client;
  }

  /** A ready server-side engine: groups, suites and signature schemes applied. */
  public SSLEngine newServerEngine(ByteBufAllocator alloc) {
    return applyParameters(server.newEngine(alloc), settings, false);
  }

  /** A ready client-side engine: groups, early key share and signature schemes applied. */
  public SSLEngine newClientEngine(ByteBufAllocator alloc) {
    return applyParameters(client.newEngine(alloc), settings, true);
  }

  /** A server {@link SslHandler} for the accepted channel's pipeline. */
  public SslHandler newServerHandler(ByteBufAllocator alloc) {
    return withTimeout(new SslHandler(newServerEngine(alloc)));
  }

  /** A client {@link SslHandler} for the connecting channel's pipeline. */
  public SslHandler newClientHandler(ByteBufAllocator alloc) {
    return withTimeout(new SslHandler(newClientEngine(alloc)));
  }

  private SslHandler withTimeout(SslHandler handler) {
    handler.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
    return handler;
  }

  /** Sets protocol, suites, groups, early key share and signature schemes on a BCJSSE engine. */
  static SSLEngine applyParameters(SSLEngine engine, TlsSettings settings, boolean clientMode) {
    if (!(engine instanceof BCSSLEngine)) {
      throw new TlsSetupException("engine " + engine.getClass().getName()
          + " is not a Bouncy Castle engine; expected BCSSLEngine from the BCJSSE provider");
    }
    BCSSLEngine bc = (BCSSLEngine) engine;
    BCSSLParameters p = bc.getParameters();
    p.setProtocols(new String[] {"TLSv1.3"});
    p.setCipherSuites(TlsSettings.CIPHER_SUITES.toArray(new String[0]));
    p.setNamedGroups(settings.namedGroups().toArray(new String[0]));
    p.setUseNamedGroupsOrder(true);
    if (clientMode) {
      p.setEarlyKeyShares(new String[] {settings.earlyKeyShare()});
    } else {
      p.setNeedClientAuth(true);
    }
    if (settings.mlDsaCertificates()) {
      p.setSignatureSchemes(SIGNATURE_SCHEMES_WITH_MLDSA.clone());
      p.setSignatureSchemesCert(SIGNATURE_SCHEMES_WITH_MLDSA.clone());
    }
    bc.setParameters(p);
    return engine;
  }
}
