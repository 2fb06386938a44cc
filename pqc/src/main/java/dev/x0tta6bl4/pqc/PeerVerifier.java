package dev.x0tta6bl4.pqc;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Decides whether a peer's certificate chain (leaf first) is an acceptable mesh identity:
 * RFC 5280 path validation against the current trust bundle, the X.509-SVID leaf rules,
 * the trust domain and an optional allow-list of SPIFFE IDs.
 *
 * <p>Called by the TLS trust manager on the handshake thread for both client and server
 * side; implementations are thread-safe. A refusal is a {@link CertificateException} whose
 * message says precisely which rule failed, because it ends up in the log line of the
 * refused connection.
 */
@FunctionalInterface
public interface PeerVerifier {

  /**
   * Verifies {@code chain} and returns the peer's SPIFFE ID URI string.
   *
   * @throws CertificateException naming the rule the chain breaks
   */
  String verify(List<X509Certificate> chain) throws CertificateException;
}
