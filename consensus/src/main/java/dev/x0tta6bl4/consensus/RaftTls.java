package dev.x0tta6bl4.consensus;

import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.IdentitySource;
import dev.x0tta6bl4.pqc.JsseTlsMaterial;
import dev.x0tta6bl4.pqc.PeerVerifier;
import dev.x0tta6bl4.pqc.TlsSettings;
import java.security.Provider;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * How the Raft port is secured: mutual TLS 1.3 on every Raft connection (server to server,
 * this node's client to the servers), with the key manager, trust manager and JSSE provider
 * given here. Set on {@link ConsensusConfig.Builder#tls}; without it Raft runs plaintext gRPC.
 *
 * <p>The node's composition root calls {@link #fromIdentity}: the same split Bouncy Castle JSSE
 * provider, SVID key manager (reads the identity source on every handshake), SPIFFE peer check
 * and hybrid {@code X25519MLKEM768} key exchange as the mesh links. The server requires a
 * client certificate, and both sides judge the peer only through the trust manager (SPIFFE ID
 * and trust bundle; Ratis' gRPC does not check host names here).
 *
 * <p>Immutable; the managers it holds must be thread-safe (handshakes run on gRPC event loops).
 */
public final class RaftTls {

  /** TLS 1.3 suites used on the Raft port: AES-GCM only (AES-NI through the JDK). */
  public static final List<String> CIPHER_SUITES = TlsSettings.CIPHER_SUITES;

  /** Puts per-connection parameters (named groups, key shares) on each new engine. */
  @FunctionalInterface
  interface EngineConfigurer {
    /** Called on the event loop that owns the connection, before the handshake starts. */
    void configure(SSLEngine engine, boolean clientMode);
  }

  private final X509KeyManager keyManager;
  private final X509TrustManager trustManager;
  private final Provider provider;
  private final EngineConfigurer engineConfigurer;
  private final String description;

  private RaftTls(X509KeyManager keyManager, X509TrustManager trustManager, Provider provider,
      EngineConfigurer engineConfigurer, String description) {
    this.keyManager = keyManager;
    this.trustManager = trustManager;
    this.provider = provider;
    this.engineConfigurer = engineConfigurer;
    this.description = description;
  }

  /**
   * Raft TLS from the node's identity, exactly like the mesh links: split BCJSSE provider,
   * TLS 1.3, hybrid {@code X25519MLKEM768} as the only group and early key share, Ed25519 (or
   * ML-DSA-65) SVIDs read from {@code identities} on every handshake, peers accepted only when
   * {@code verifier} accepts their chain (same trust domain, current trust bundle).
   */
  public static RaftTls fromIdentity(
      CryptoProviders providers, IdentitySource identities, PeerVerifier verifier) {
    return fromIdentity(providers, identities, verifier, TlsSettings.defaults());
  }

  /** As {@link #fromIdentity(CryptoProviders, IdentitySource, PeerVerifier)} with settings. */
  public static RaftTls fromIdentity(
      CryptoProviders providers,
      IdentitySource identities,
      PeerVerifier verifier,
      TlsSettings settings) {
    return of(JsseTlsMaterial.create(providers, identities, verifier, settings));
  }

  /** Raft TLS over prepared JSSE material (provider, managers and per-engine parameters). */
  public static RaftTls of(JsseTlsMaterial material) {
    Objects.requireNonNull(material, "material");
    return new RaftTls(material.keyManager(), material.trustManager(), material.provider(),
        material::configureEngine, material.toString());
  }

  public X509KeyManager keyManager() {
    return keyManager;
  }

  public X509TrustManager trustManager() {
    return trustManager;
  }

  /** The JSSE provider whose SSLContext builds the engines (the split BCJSSE). */
  public Provider provider() {
    return provider;
  }

  EngineConfigurer engineConfigurer() {
    return engineConfigurer;
  }

  /** Provider, protocol and groups, for logs and {@code toString}. */
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return "RaftTls{" + description + "}";
  }
}
