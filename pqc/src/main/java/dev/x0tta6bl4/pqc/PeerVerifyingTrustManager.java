package dev.x0tta6bl4.pqc;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trust decisions for both directions go to the {@link PeerVerifier}: PKIX against the current
 * trust bundle, the X.509-SVID rules and SPIFFE-ID authorisation, never host names. A refusal
 * is logged with the verifier's reason and rethrown so the handshake fails with it. Runs on
 * the handshake (event-loop) thread; stateless apart from its collaborators.
 */
final class PeerVerifyingTrustManager extends X509ExtendedTrustManager {

  private static final Logger log = LoggerFactory.getLogger(PeerVerifyingTrustManager.class);

  private final PeerVerifier verifier;
  private final IdentitySource identities;

  PeerVerifyingTrustManager(PeerVerifier verifier, IdentitySource identities) {
    this.verifier = verifier;
    this.identities = identities;
  }

  private void verify(X509Certificate[] chain, String role) throws CertificateException {
    if (chain == null || chain.length == 0) {
      log.warn("TLS peer refused: {} presented no certificate", role);
      throw new CertificateException(role + " presented no certificate, expected an X.509-SVID");
    }
    try {
      String spiffeId = verifier.verify(List.of(chain));
      log.debug("TLS peer accepted: {} {}", role, spiffeId);
    } catch (CertificateException e) {
      log.warn(
          "TLS peer refused: {} subject '{}': {}",
          role,
          chain[0].getSubjectX500Principal().getName(),
          e.getMessage());
      throw e;
    } catch (RuntimeException e) {
      log.warn("TLS peer refused: {} verifier failed: {}", role, e.toString());
      throw new CertificateException(role + " could not be verified: " + e.getMessage(), e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain, "server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain, "server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain, "server");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    X509Certificate[] bundle = identities.current().trustBundle().toArray(new X509Certificate[0]);
    return Arrays.copyOf(bundle, bundle.length);
  }
}
