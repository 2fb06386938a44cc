package dev.x0tta6bl4.pqc;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager that reads {@link IdentitySource#current()} on every handshake, so a rotated
 * identity is presented by new connections without rebuilding any context, while open
 * connections keep the keys they negotiated with.
 *
 * <p>Each identity gets a Bouncy Castle PKIX key manager over a BC PKCS12 store (the only
 * combination that keeps Ed25519 keys usable by BCJSSE). Aliases carry the identity's
 * generation ({@code "<generation>:<alias>"}) so that a rotation between "choose alias" and
 * "get private key" cannot mix the old certificate with the new key. Thread-safe: handshakes
 * on any event loop call it concurrently.
 */
final class RotatingKeyManager extends X509ExtendedKeyManager {

  /** Generations kept resolvable, so in-flight handshakes survive a rotation. */
  private static final int KEPT_GENERATIONS = 4;

  private static final char[] STORE_PASSWORD = "meshd-in-memory".toCharArray();

  private record Generation(long number, NodeIdentity identity, X509ExtendedKeyManager delegate) {}

  private final IdentitySource identities;
  private final Provider bouncyCastle;
  private final Provider jsse;
  private final AtomicReference<Generation> latest = new AtomicReference<>();
  private final Map<Long, Generation> byNumber = new ConcurrentHashMap<>();
  private final AtomicLong counter = new AtomicLong();

  RotatingKeyManager(IdentitySource identities, Provider bouncyCastle, Provider jsse) {
    this.identities = identities;
    this.bouncyCastle = bouncyCastle;
    this.jsse = jsse;
    current();
  }

  private Generation current() {
    NodeIdentity identity = identities.current();
    Generation g = latest.get();
    if (g != null && g.identity() == identity) {
      return g;
    }
    synchronized (this) {
      g = latest.get();
      if (g != null && g.identity() == identity) {
        return g;
      }
      Generation fresh = new Generation(counter.incrementAndGet(), identity, build(identity));
      byNumber.put(fresh.number(), fresh);
      byNumber.keySet().removeIf(n -> n <= fresh.number() - KEPT_GENERATIONS);
      latest.set(fresh);
      return fresh;
    }
  }

  private X509ExtendedKeyManager build(NodeIdentity identity) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12", bouncyCastle);
      store.load(null, null);
      store.setKeyEntry(
          "node",
          identity.privateKey(),
          STORE_PASSWORD,
          identity.certificateChain().toArray(new X509Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX", jsse);
      kmf.init(store, STORE_PASSWORD);
      for (KeyManager km : kmf.getKeyManagers()) {
        if (km instanceof X509ExtendedKeyManager) {
          return (X509ExtendedKeyManager) km;
        }
      }
      throw new TlsSetupException("PKIX KeyManagerFactory of " + jsse.getName()
          + " returned no X509ExtendedKeyManager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new TlsSetupException(
          "cannot load node identity " + identity.leaf().getSubjectX500Principal()
              + " into a PKCS12 key store: " + e.getMessage(), e);
    }
  }

  private static String tag(Generation g, String alias) {
    return alias == null ? null : g.number() + ":" + alias;
  }

  private Generation resolve(String taggedAlias) {
    if (taggedAlias == null) {
      return null;
    }
    int colon = taggedAlias.indexOf(':');
    if (colon <= 0) {
      return null;
    }
    try {
      return byNumber.get(Long.parseLong(taggedAlias.substring(0, colon)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String untag(String taggedAlias) {
    return taggedAlias.substring(taggedAlias.indexOf(':') + 1);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    Generation g = current();
    return tag(g, g.delegate().chooseEngineClientAlias(keyType, issuers, engine));
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    Generation g = current();
    return tag(g, g.delegate().chooseEngineServerAlias(keyType, issuers, engine));
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    Generation g = current();
    return tag(g, g.delegate().chooseClientAlias(keyType, issuers, socket));
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    Generation g = current();
    return tag(g, g.delegate().chooseServerAlias(keyType, issuers, socket));
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Generation g = resolve(alias);
    return g == null ? null : g.delegate().getCertificateChain(untag(alias));
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Generation g = resolve(alias);
    return g == null ? null : g.delegate().getPrivateKey(untag(alias));
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    Generation g = current();
    return tagAll(g, g.delegate().getClientAliases(keyType, issuers));
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    Generation g = current();
    return tagAll(g, g.delegate().getServerAliases(keyType, issuers));
  }

  private static String[] tagAll(Generation g, String[] aliases) {
    if (aliases == null) {
      return null;
    }
    String[] out = new String[aliases.length];
    for (int i = 0; i < aliases.length; i++) {
      out[i] = tag(g, aliases[i]);
    }
    return out;
  }
}
