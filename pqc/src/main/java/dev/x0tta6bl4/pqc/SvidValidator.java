package dev.x0tta6bl4.pqc;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Validates X.509-SVIDs of peers, written explicitly against the SPIFFE X509-SVID
 * specification, and authorises them by SPIFFE ID.
 *
 * <p>Rules, checked in this order, each refusal a {@link CertificateException} naming the rule
 * and the offending value:
 *
 * <ol>
 *   <li>the chain holds 1 to {@value #MAX_CHAIN_LENGTH} certificates;
 *   <li>the leaf has exactly one URI SAN, and it is a valid SPIFFE ID with a non-root path;
 *   <li>the leaf is not a CA (basicConstraints cA false or absent);
 *   <li>the leaf has a critical key usage with digitalSignature and without keyCertSign and
 *       cRLSign;
 *   <li>an extended key usage, when present, includes serverAuth and clientAuth;
 *   <li>the SPIFFE ID's trust domain is the configured one;
 *   <li>every certificate of the chain is within its validity window, widened by the clock-skew
 *       tolerance, at the injected clock's instant;
 *   <li>RFC 5280 path validation (PKIX, Bouncy Castle, revocation off) against the current
 *       trust bundle succeeds at a validation date inside every certificate's window;
 *   <li>the SPIFFE ID is on the allow-list, when one is configured.
 * </ol>
 *
 * <p>The trust bundle is read from its supplier on every call, so a rotated bundle is seen by
 * the next handshake. Immutable and thread-safe: TLS handshake threads call it concurrently.
 */
public final class SvidValidator implements PeerVerifier {

  /** Longest chain accepted (leaf plus intermediates, optionally the root). */
  public static final int MAX_CHAIN_LENGTH = 8;
  /** Default clock-skew tolerance. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(1);

  static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String KEY_USAGE_OID = "2.5.29.15";
  private static final int URI_SAN = 6;
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;
  private static final int CRL_SIGN = 6;

  private final String trustDomain;
  private final Supplier<List<X509Certificate>> trustBundle;
  private final Clock clock;
  private final Duration clockSkew;
  private final Set<SpiffeId> allowedIds;

  private SvidValidator(Builder builder) {
    this.trustDomain = builder.trustDomain;
    this.trustBundle = builder.trustBundle;
    this.clock = builder.clock;
    this.clockSkew = builder.clockSkew;
    this.allowedIds = Set.copyOf(builder.allowedIds);
  }

  /** Starts a validator for peers of {@code trustDomain}. */
  public static Builder builder(String trustDomain) {
    return new Builder(trustDomain);
  }

  @Override
  public String verify(List<X509Certificate> chain) throws CertificateException {
    return verifySvid(chain).toUri();
  }

  /** Verifies {@code chain} (leaf first) and returns the leaf's SPIFFE ID. */
  public SpiffeId verifySvid(List<X509Certificate> chain) throws CertificateException {
    try {
      return verifyParsed(chain);
    } catch (IllegalArgumentException | IllegalStateException e) {
      // BC throws these for structurally broken fields (e.g. a corrupted issuer name); to a
      // caller a broken certificate is a refused certificate, never a crash.
      throw new CertificateException("certificate is malformed: " + e.getMessage(), e);
    }
  }

  private SpiffeId verifyParsed(List<X509Certificate> chain) throws CertificateException {
    if (chain == null || chain.isEmpty()) {
      throw new CertificateException("certificate chain is empty; an X.509-SVID leaf is required");
    }
    if (chain.size() > MAX_CHAIN_LENGTH) {
      throw new CertificateException(
          "certificate chain has " + chain.size() + " certificates; at most " + MAX_CHAIN_LENGTH
              + " are accepted");
    }
    List<X509Certificate> certificates = toBouncyCastle(chain);
    X509Certificate leaf = certificates.get(0);
    SpiffeId id = checkLeaf(leaf);
    if (!id.isMemberOf(trustDomain)) {
      throw new CertificateException(
          "SPIFFE ID " + id + " is in trust domain '" + id.trustDomain() + "'; expected '"
              + trustDomain + "'");
    }
    Instant now = clock.instant();
    for (X509Certificate certificate : certificates) {
      checkValidity(certificate, now, "certificate");
    }
    validatePath(certificates, id, now);
    if (!allowedIds.isEmpty() && !allowedIds.contains(id)) {
      throw new CertificateException("SPIFFE ID " + id + " is not on the allow-list of this node");
    }
    return id;
  }

  /** The trust domain peers must belong to. */
  public String trustDomain() {
    return trustDomain;
  }

  private static SpiffeId checkLeaf(X509Certificate leaf) throws CertificateException {
    List<String> uris = uriSansOrRefuse(leaf);
    if (uris.size() != 1) {
      throw new CertificateException(
          "certificate " + subject(leaf) + " has " + uris.size()
              + " URI SANs; an X.509-SVID has exactly one" + (uris.isEmpty() ? "" : " " + uris));
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(uris.get(0));
    } catch (PqcException e) {
      throw new CertificateException(
          "URI SAN '" + uris.get(0) + "' is not a valid SPIFFE ID: " + e.getMessage(), e);
    }
    if (leaf.getBasicConstraints() >= 0) {
      throw new CertificateException(
          "certificate " + subject(leaf) + " (" + id + ") is a CA certificate (basicConstraints"
              + " cA=true); an X.509-SVID leaf must not be a CA");
    }
    if (id.isTrustDomainId()) {
      throw new CertificateException(
          "leaf SPIFFE ID " + id + " has an empty path; a leaf SVID must name a workload");
    }
    checkKeyUsage(leaf, id);
    checkExtendedKeyUsage(leaf, id);
    return id;
  }

  private static void checkKeyUsage(X509Certificate leaf, SpiffeId id) throws CertificateException {
    boolean[] usage = leaf.getKeyUsage();
    if (usage == null) {
      throw new CertificateException(
          "leaf " + id + " has no key usage extension; an X.509-SVID leaf needs a critical key"
              + " usage with digitalSignature");
    }
    Set<String> critical = leaf.getCriticalExtensionOIDs();
    if (critical == null || !critical.contains(KEY_USAGE_OID)) {
      throw new CertificateException(
          "leaf " + id + " has a non-critical key usage extension; an X.509-SVID requires it"
              + " critical");
    }
    if (!bit(usage, DIGITAL_SIGNATURE)) {
      throw new CertificateException(
          "leaf " + id + " key usage lacks digitalSignature; an X.509-SVID leaf requires it");
    }
    if (bit(usage, KEY_CERT_SIGN)) {
      throw new CertificateException(
          "leaf " + id + " key usage has keyCertSign; an X.509-SVID leaf must not sign certificates");
    }
    if (bit(usage, CRL_SIGN)) {
      throw new CertificateException(
          "leaf " + id + " key usage has cRLSign; an X.509-SVID leaf must not sign CRLs");
    }
  }

  private static void checkExtendedKeyUsage(X509Certificate leaf, SpiffeId id)
      throws CertificateException {
    List<String> eku = leaf.getExtendedKeyUsage();
    if (eku == null) {
      return;
    }
    if (!eku.contains(SERVER_AUTH)) {
      throw new CertificateException(
          "leaf " + id + " extended key usage " + eku + " lacks serverAuth (" + SERVER_AUTH
              + "); mesh peers act as TLS servers");
    }
    if (!eku.contains(CLIENT_AUTH)) {
      throw new CertificateException(
          "leaf " + id + " extended key usage " + eku + " lacks clientAuth (" + CLIENT_AUTH
              + "); mesh peers act as TLS clients");
    }
  }

  private void checkValidity(X509Certificate certificate, Instant now, String role)
      throws CertificateException {
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (now.plus(clockSkew).isBefore(notBefore)) {
      throw new CertificateException(
          role + " " + subject(certificate) + " is not yet valid: notBefore " + notBefore
              + " is after now " + now + " plus clock skew " + clockSkew);
    }
    if (now.minus(clockSkew).isAfter(notAfter)) {
      throw new CertificateException(
          role + " " + subject(certificate) + " has expired: notAfter " + notAfter
              + " is before now " + now + " minus clock skew " + clockSkew);
    }
  }

  private void validatePath(List<X509Certificate> chain, SpiffeId id, Instant now)
      throws CertificateException {
    List<X509Certificate> bundle = trustBundle.get();
    if (bundle == null || bundle.isEmpty()) {
      throw new CertificateException("trust bundle of '" + trustDomain + "' is empty");
    }
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate anchor : bundle) {
      anchors.add(new TrustAnchor(anchor, null));
    }
    List<X509Certificate> path = new ArrayList<>(chain);
    // A peer may append the root; PKIX wants the path without its trust anchor.
    if (path.size() > 1 && bundle.contains(path.get(path.size() - 1))) {
      path.remove(path.size() - 1);
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509", CryptoProviders.install().bouncyCastle());
      CertPath certPath = factory.generateCertPath(path);
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(validationDate(path, now)));
      CertPathValidator validator = CertPathValidator.getInstance("PKIX", CryptoProviders.install().bouncyCastle());
      PKIXCertPathValidatorResult result =
          (PKIXCertPathValidatorResult) validator.validate(certPath, parameters);
      checkValidity(result.getTrustAnchor().getTrustedCert(), now, "trust anchor");
    } catch (CertPathValidatorException e) {
      throw new CertificateException(
          "certificate chain of " + id + " (issuer " + chain.get(0).getIssuerX500Principal().getName()
              + ") does not validate against the trust bundle of '" + trustDomain + "': "
              + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      if (e instanceof CertificateException) {
        throw (CertificateException) e;
      }
      throw new CertificateException(
          "path validation of " + id + " could not run: " + e.getMessage(), e);
    }
  }

  /**
   * A date inside every certificate's window, as close to {@code now} as possible: the skew
   * check above already accepted {@code now}, and PKIX itself has no tolerance.
   */
  private static Instant validationDate(List<X509Certificate> path, Instant now)
      throws CertificateException {
    Instant latestStart = Instant.MIN;
    Instant earliestEnd = Instant.MAX;
    for (X509Certificate certificate : path) {
      Instant start = certificate.getNotBefore().toInstant();
      Instant end = certificate.getNotAfter().toInstant();
      latestStart = start.isAfter(latestStart) ? start : latestStart;
      earliestEnd = end.isBefore(earliestEnd) ? end : earliestEnd;
    }
    if (latestStart.isAfter(earliestEnd)) {
      throw new CertificateException(
          "certificate chain has no instant at which all its certificates are valid (latest"
              + " notBefore " + latestStart + ", earliest notAfter " + earliestEnd + ")");
    }
    if (now.isBefore(latestStart)) {
      return latestStart;
    }
    return now.isAfter(earliestEnd) ? earliestEnd : now;
  }

  private static List<X509Certificate> toBouncyCastle(List<X509Certificate> chain)
      throws CertificateException {
    List<X509Certificate> converted = new ArrayList<>(chain.size());
    for (X509Certificate certificate : chain) {
      converted.add(toBouncyCastle(certificate));
    }
    return converted;
  }

  /**
   * Re-parses a certificate with Bouncy Castle, whose objects decode ML-DSA and Ed25519 public
   * keys as BC keys whatever parsed the certificate first (the JDK 17 does not know ML-DSA).
   */
  static X509Certificate toBouncyCastle(X509Certificate certificate) throws CertificateException {
    Objects.requireNonNull(certificate, "certificate in chain");
    CertificateFactory factory = CertificateFactory.getInstance("X.509", CryptoProviders.install().bouncyCastle());
    return (X509Certificate)
        factory.generateCertificate(new ByteArrayInputStream(certificate.getEncoded()));
  }

  private static List<String> uriSansOrRefuse(X509Certificate certificate)
      throws CertificateParsingException {
    Collection<List<?>> names = certificate.getSubjectAlternativeNames();
    List<String> uris = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        if (name.size() >= 2 && Integer.valueOf(URI_SAN).equals(name.get(0))) {
          uris.add(String.valueOf(name.get(1)));
        }
      }
    }
    return uris;
  }

  /** The URI SANs of a certificate; a certificate whose SAN extension does not parse has none. */
  static List<String> uriSans(X509Certificate certificate) {
    try {
      return uriSansOrRefuse(certificate);
    } catch (CertificateParsingException e) {
      throw new PqcException(
          "certificate " + subject(certificate) + " has an unparsable subject alternative name", e);
    }
  }

  private static boolean bit(boolean[] bits, int index) {
    return index < bits.length && bits[index];
  }

  private static String subject(X509Certificate certificate) {
    return "'" + certificate.getSubjectX500Principal().getName() + "'";
  }

  /**
   * Configures an {@link SvidValidator}. The trust bundle source is required; defaults are the
   * system UTC clock, {@link #DEFAULT_CLOCK_SKEW} and no allow-list. Not thread-safe.
   */
  public static final class Builder {
    private final String trustDomain;
    private Supplier<List<X509Certificate>> trustBundle;
    private Clock clock = Clock.systemUTC();
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private Set<SpiffeId> allowedIds = Set.of();

    private Builder(String trustDomain) {
      this.trustDomain = SpiffeId.requireValidTrustDomain(trustDomain);
    }

    /** Where the trust bundle is read on every validation (so rotation is seen). */
    public Builder trustBundle(Supplier<List<X509Certificate>> value) {
      this.trustBundle = Objects.requireNonNull(value, "trustBundle");
      return this;
    }

    /** Reads the trust bundle from {@code source.current()} on every validation. */
    public Builder trustBundleFrom(IdentitySource source) {
      Objects.requireNonNull(source, "source");
      return trustBundle(() -> source.current().trustBundle());
    }

    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /** Tolerance applied to notBefore and notAfter; zero or positive. */
    public Builder clockSkew(Duration value) {
      Objects.requireNonNull(value, "clockSkew");
      if (value.isNegative()) {
        throw new PqcException("clockSkew " + value + " must not be negative");
      }
      this.clockSkew = value;
      return this;
    }

    /** Restricts accepted peers to these SPIFFE IDs; empty means any ID of the trust domain. */
    public Builder allowedIds(Collection<SpiffeId> value) {
      this.allowedIds = Set.copyOf(value);
      return this;
    }

    public SvidValidator build() {
      if (trustBundle == null) {
        throw new PqcException("trustBundle is required for the SVID validator of " + trustDomain);
      }
      return new SvidValidator(this);
    }
  }
}
