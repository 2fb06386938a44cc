package dev.x0tta6bl4.pqc;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The credentials a node presents and trusts at one moment: its private key, its
 * X.509-SVID chain (leaf first) and the trust bundle of its trust domain.
 *
 * <p>An immutable value; an {@link IdentitySource} hands out a new one on rotation.
 * The private key must be a Bouncy Castle key object (loaded through the BC provider),
 * because BCJSSE rejects the JDK's SunEC EdDSA key objects during the handshake.
 */
public record NodeIdentity(
    PrivateKey privateKey, List<X509Certificate> certificateChain, List<X509Certificate> trustBundle) {

  public NodeIdentity {
    Objects.requireNonNull(privateKey, "privateKey");
    certificateChain = List.copyOf(certificateChain);
    trustBundle = List.copyOf(trustBundle);
    if (certificateChain.isEmpty()) {
      throw new IllegalArgumentException("certificateChain must hold at least the leaf certificate");
    }
    if (trustBundle.isEmpty()) {
      throw new IllegalArgumentException("trustBundle must hold at least one trust anchor");
    }
  }

  /** The leaf certificate: the node's own X.509-SVID. */
  public X509Certificate leaf() {
    return certificateChain.get(0);
  }
}
