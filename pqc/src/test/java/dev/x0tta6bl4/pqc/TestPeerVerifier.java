package dev.x0tta6bl4.pqc;

import java.security.Provider;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Test stand-in for the real SvidValidator: RFC 5280 path validation with Bouncy Castle against
 * the current trust bundle, then the single URI SAN as the SPIFFE ID.
 */
final class TestPeerVerifier implements PeerVerifier {

  private final IdentitySource identities;
  private final Provider bc = CryptoProviders.install().bouncyCastle();

  TestPeerVerifier(IdentitySource identities) {
    this.identities = identities;
  }

  @Override
  public String verify(List<X509Certificate> chain) throws CertificateException {
    try {
      Set<TrustAnchor> anchors =
          identities.current().trustBundle().stream()
              .map(c -> new TrustAnchor(c, null))
              .collect(Collectors.toSet());
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX", bc)
          .validate(CertificateFactory.getInstance("X.509", bc).generateCertPath(chain), params);
    } catch (java.security.GeneralSecurityException e) {
      throw new CertificateException("path validation failed: " + e.getMessage(), e);
    }
    List<String> uris = new ArrayList<>();
    if (chain.get(0).getSubjectAlternativeNames() != null) {
      for (List<?> san : chain.get(0).getSubjectAlternativeNames()) {
        if (Integer.valueOf(6).equals(san.get(0))) {
          uris.add((String) san.get(1));
        }
      }
    }
    if (uris.size() != 1) {
      throw new CertificateException("expected exactly one URI SAN, found " + uris);
    }
    return uris.get(0);
  }
}
