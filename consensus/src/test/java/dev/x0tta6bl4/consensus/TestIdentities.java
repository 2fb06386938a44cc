package dev.x0tta6bl4.consensus;

import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.IdentitySource;
import dev.x0tta6bl4.pqc.MeshCertificateAuthority;
import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import dev.x0tta6bl4.pqc.SvidValidator;
import dev.x0tta6bl4.pqc.TlsSettings;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A test mesh CA for one trust domain that issues node SVIDs (Ed25519) and builds each node's
 * {@link RaftTls} the way the node daemon does: {@link RaftTls#fromIdentity} over the node's
 * identity source and an {@link SvidValidator} trusting that source's bundle.
 */
final class TestIdentities {
  static final String TRUST_DOMAIN = "raft.test";

  final MeshCertificateAuthority ca;

  TestIdentities() {
    this(SignatureAlgorithm.ED25519);
  }

  TestIdentities(SignatureAlgorithm algorithm) {
    this.ca = MeshCertificateAuthority.builder().trustDomain(TRUST_DOMAIN).algorithm(algorithm)
        .init();
  }

  Source identity(String nodeId) {
    return new Source(ca.issueNodeIdentity(nodeId));
  }

  RaftTls tls(String nodeId) {
    return tls(identity(nodeId));
  }

  static RaftTls tls(Source identity) {
    return tls(identity, TlsSettings.defaults());
  }

  static RaftTls tls(Source identity, TlsSettings settings) {
    return RaftTls.fromIdentity(CryptoProviders.install(), identity,
        SvidValidator.builder(TRUST_DOMAIN).trustBundleFrom(identity).build(), settings);
  }

  /** An identity source whose identity the test replaces to simulate a rotation. */
  static final class Source implements IdentitySource {
    private volatile NodeIdentity current;
    private final List<Consumer<NodeIdentity>> listeners = new CopyOnWriteArrayList<>();

    Source(NodeIdentity initial) {
      this.current = initial;
    }

    @Override
    public NodeIdentity current() {
      return current;
    }

    void rotate(NodeIdentity next) {
      current = next;
      listeners.forEach(l -> l.accept(next));
    }

    @Override
    public void onRotation(Consumer<NodeIdentity> listener) {
      listeners.add(listener);
    }
  }
}
