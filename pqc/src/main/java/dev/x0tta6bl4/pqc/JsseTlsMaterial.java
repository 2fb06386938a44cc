package dev.x0tta6bl4.pqc;

import java.security.Provider;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The node's TLS as plain JSSE pieces, for transports that build their own SSL contexts instead
 * of taking a {@link TlsContextFactory} handler (Ratis' shaded gRPC Netty): the split BCJSSE
 * provider, a key manager that reads {@link IdentitySource#current()} on every handshake (so a
 * rotated SVID is presented by new connections without a restart), a trust manager that hands
 * every peer chain, in both directions, to a {@link PeerVerifier} (PKIX against the current
 * trust bundle, X.509-SVID rules, trust domain; never host names), and
 * {@link #configureEngine} which puts the mesh links' protocol, suites, named groups, early key
 * share and signature schemes on one BCJSSE engine.
 *
 * <p>Immutable and thread-safe; built once by the composition root. Holds no resources (the
 * identity source is closed by its owner).
 */
public final class JsseTlsMaterial {

  private final Provider provider;
  private final X509ExtendedKeyManager keyManager;
  private final X509ExtendedTrustManager trustManager;
  private final TlsSettings settings;

  private JsseTlsMaterial(
      Provider provider,
      X509ExtendedKeyManager keyManager,
      X509ExtendedTrustManager trustManager,
      TlsSettings settings) {
    this.provider = provider;
    this.keyManager = keyManager;
    this.trustManager = trustManager;
    this.settings = settings;
  }

  /** Material with the same settings as the mesh links ({@link TlsSettings#defaults()}). */
  public static JsseTlsMaterial create(
      CryptoProviders providers, IdentitySource identities, PeerVerifier verifier) {
    return create(providers, identities, verifier, TlsSettings.defaults());
  }

  public static JsseTlsMaterial create(
      CryptoProviders providers,
      IdentitySource identities,
      PeerVerifier verifier,
      TlsSettings settings) {
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(identities, "identities");
    Objects.requireNonNull(verifier, "verifier");
    Objects.requireNonNull(settings, "settings");
    return new JsseTlsMaterial(
        providers.jsse(),
        new RotatingKeyManager(identities, providers.bouncyCastle(), providers.jsse()),
        new PeerVerifyingTrustManager(verifier, identities),
        settings);
  }

  /** The split Bouncy Castle JSSE provider ({@code BCJSSE}). */
  public Provider provider() {
    return provider;
  }

  /** Presents the identity source's current SVID; reads it again on every handshake. */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /** Accepts a peer chain only if the {@link PeerVerifier} does; logs every refusal. */
  public X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  public TlsSettings settings() {
    return settings;
  }

  /**
   * Applies TLS 1.3, the AES-GCM suites, the named groups of {@link #settings()} (and, on a
   * client engine, the single early key share) and, with ML-DSA certificates, the signature
   * schemes to {@code engine}, then returns it.
   *
   * @throws TlsSetupException if {@code engine} is not a Bouncy Castle engine
   */
  public SSLEngine configureEngine(SSLEngine engine, boolean clientMode) {
    return TlsContextFactory.applyParameters(engine, settings, clientMode);
  }

  @Override
  public String toString() {
    return provider.getName() + " " + provider.getVersionStr() + ", TLSv1.3, groups "
        + settings.namedGroups();
  }
}
