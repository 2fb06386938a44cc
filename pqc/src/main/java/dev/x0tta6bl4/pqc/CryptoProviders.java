package dev.x0tta6bl4.pqc;

import java.security.Provider;
import java.security.Security;
import java.util.Objects;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The node's cryptographic providers: Bouncy Castle (registered with
 * {@link Security#addProvider}, i.e. last, so the JDK's own providers keep serving JDK TLS and
 * AES-GCM) and a Bouncy Castle JSSE provider built over a split crypto: ML-KEM, X25519,
 * Ed25519, ML-DSA, hashes and HKDF from Bouncy Castle, AES-GCM record protection from SunJCE.
 *
 * <p>Everything in meshd receives provider <em>objects</em> from here and never looks a
 * provider up by name. The JSSE provider is deliberately not registered globally. Build once
 * in the composition root with {@link #install()} (idempotent; thread-safe) and share; it
 * holds no resources and needs no closing.
 */
public final class CryptoProviders {

  private static final Object LOCK = new Object();
  private static CryptoProviders installed;

  private final Provider bouncyCastle;
  private final Provider bulkCipherProvider;
  private final Provider jsse;

  private CryptoProviders(Provider bouncyCastle, Provider bulkCipherProvider) {
    this.bouncyCastle = bouncyCastle;
    this.bulkCipherProvider = bulkCipherProvider;
    this.jsse =
        new BouncyCastleJsseProvider(
            false, new SplitTlsCryptoProvider(bouncyCastle, bulkCipherProvider));
  }

  /**
   * Registers Bouncy Castle if no provider named {@code BC} is registered yet (appended, never
   * at position 1), builds the split JSSE provider, and returns the same instance on every
   * later call.
   *
   * @throws CryptoStackException if the registered {@code BC} provider is not Bouncy Castle's
   *     or the JDK's SunJCE provider is missing
   */
  public static CryptoProviders install() {
    synchronized (LOCK) {
      if (installed == null) {
        Provider bc = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        if (bc == null) {
          bc = new BouncyCastleProvider();
          Security.addProvider(bc);
        } else if (!(bc instanceof BouncyCastleProvider)) {
          throw new CryptoStackException(
              "provider registered as 'BC' is "
                  + bc.getClass().getName()
                  + ", expected org.bouncycastle.jce.provider.BouncyCastleProvider");
        }
        Provider sunJce = Security.getProvider("SunJCE");
        if (sunJce == null) {
          throw new CryptoStackException(
              "JDK provider SunJCE is not registered; it is required for AES-GCM record"
                  + " protection");
        }
        installed = new CryptoProviders(bc, sunJce);
      }
      return installed;
    }
  }

  /** The Bouncy Castle JCA provider (ML-KEM, ML-DSA, Ed25519, X25519, PKCS12, PKIX...). */
  public Provider bouncyCastle() {
    return bouncyCastle;
  }

  /** The JDK provider serving AES-GCM to TLS (SunJCE). */
  public Provider bulkCipherProvider() {
    return bulkCipherProvider;
  }

  /** The split Bouncy Castle JSSE provider: give it to Netty with {@code sslContextProvider}. */
  public Provider jsse() {
    return jsse;
  }

  /** Provider names and versions, for {@code meshd version}. */
  @Override
  public String toString() {
    return Objects.toString(bouncyCastle.getName())
        + " "
        + bouncyCastle.getVersionStr()
        + ", "
        + jsse.getName()
        + " "
        + jsse.getVersionStr()
        + " (AES-GCM from "
        + bulkCipherProvider.getName()
        + ")";
  }
}
