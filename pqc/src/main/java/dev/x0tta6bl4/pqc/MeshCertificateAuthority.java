package dev.x0tta6bl4.pqc;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The built-in mesh certificate authority for the embedded default and small fleets: a
 * self-signed CA (Ed25519 by default, ML-DSA-65 or ECDSA P-256 selectable) that issues
 * short-lived X.509-SVIDs to nodes.
 *
 * <p>The CA certificate has basicConstraints CA with pathLen 0, a critical key usage of
 * keyCertSign and cRLSign, the trust domain's SPIFFE ID as its only URI SAN and a subject key
 * identifier. An issued SVID has a random 127-bit serial, exactly one URI SAN ({@code
 * spiffe://<td>/node/<id>}) plus optional DNS/IP SANs, basicConstraints cA=false, a critical
 * key usage of digitalSignature, EKU serverAuth+clientAuth and authority/subject key
 * identifiers. Its validity starts now and ends after the requested lifetime, never after
 * the CA certificate.
 *
 * <p>Created by {@link Builder#init()} or loaded with {@link Builder#load(Path)}; saved with
 * {@link #save(Path)} as {@value IdentityFiles#CA_KEY} (0600), {@value IdentityFiles#CA_CERT}
 * and {@value IdentityFiles#TRUST_BUNDLE}. Issuing is thread-safe. Holds the CA private key,
 * which {@link #toString()} never prints; nothing needs closing.
 */
public final class MeshCertificateAuthority {

  /** Default SVID lifetime. */
  public static final Duration DEFAULT_SVID_LIFETIME = Duration.ofHours(24);
  /** Default CA certificate lifetime. */
  public static final Duration DEFAULT_CA_LIFETIME = Duration.ofDays(365);

  private static final String ORGANISATION = "x0tta6bl4 meshd";

  private final String trustDomain;
  private final SignatureAlgorithm algorithm;
  private final PrivateKey caKey;
  private final X509Certificate caCertificate;
  private final Duration svidLifetime;
  private final Clock clock;
  private final SecureRandom random;

  private MeshCertificateAuthority(
      String trustDomain,
      SignatureAlgorithm algorithm,
      PrivateKey caKey,
      X509Certificate caCertificate,
      Duration svidLifetime,
      Clock clock,
      SecureRandom random) {
    this.trustDomain = trustDomain;
    this.algorithm = algorithm;
    this.caKey = caKey;
    this.caCertificate = caCertificate;
    this.svidLifetime = svidLifetime;
    this.clock = clock;
    this.random = random;
  }

  /** Starts configuring a CA; finish with {@link Builder#init()} or {@link Builder#load(Path)}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Issues an X.509-SVID for {@code request}. */
  public X509Certificate issue(SvidRequest request) {
    SpiffeId id = SpiffeId.forNode(trustDomain, request.nodeId());
    Instant notBefore = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = notBefore.plus(request.lifetime().orElse(svidLifetime));
    Instant caNotAfter = caCertificate.getNotAfter().toInstant();
    if (notAfter.isAfter(caNotAfter)) {
      notAfter = caNotAfter;
    }
    if (!notAfter.isAfter(notBefore)) {
      throw new PqcException(
          "CA certificate of " + trustDomain + " expired at " + caNotAfter + "; cannot issue for node '"
              + request.nodeId() + "'");
    }
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, id.toUri()));
    for (String dns : request.dnsNames()) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (InetAddress ip : request.ipAddresses()) {
      names.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress()));
    }
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, ORGANISATION)
            .addRDN(BCStyle.CN, request.nodeId())
            .build();
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      SubjectPublicKeyInfo keyInfo = SubjectPublicKeyInfo.getInstance(request.publicKey().getEncoded());
      X509v3CertificateBuilder builder =
          new X509v3CertificateBuilder(
              X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded()),
              serial(random),
              Date.from(notBefore),
              Date.from(notAfter),
              subject,
              keyInfo);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      builder.addExtension(
          Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keyInfo));
      builder.addExtension(
          Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCertificate));
      return sign(builder, caKey, algorithm);
    } catch (CertIOException | java.security.GeneralSecurityException | IllegalArgumentException e) {
      throw new PqcException("cannot issue an SVID for node '" + request.nodeId() + "': " + e.getMessage(), e);
    }
  }

  /**
   * Generates a key pair for {@code nodeId} with this CA's algorithm and issues its SVID: the
   * single-process path of {@code meshd init}, where node and CA share a machine.
   */
  public NodeIdentity issueNodeIdentity(String nodeId) {
    KeyPair keys = algorithm.generateKeyPair(random);
    return issueNodeIdentity(keys, SvidRequest.forPublicKey(nodeId, keys.getPublic()).build());
  }

  /**
   * Issues the SVID for {@code request} and bundles it with the node's private key and this
   * CA's trust bundle. The request's public key must belong to {@code nodeKeys}.
   */
  public NodeIdentity issueNodeIdentity(KeyPair nodeKeys, SvidRequest request) {
    if (!Keys.matches(nodeKeys.getPrivate(), request.publicKey())) {
      throw new PqcException(
          "private key for node '" + request.nodeId() + "' does not match the request's public key");
    }
    return new NodeIdentity(nodeKeys.getPrivate(), List.of(issue(request)), trustBundle());
  }

  /** Writes the CA key (0600), CA certificate and trust bundle into {@code directory}. */
  public void save(Path directory) {
    IdentityFiles.createPrivateDirectory(directory);
    IdentityFiles.writeCertificates(directory.resolve(IdentityFiles.CA_CERT), List.of(caCertificate));
    IdentityFiles.writeCertificates(directory.resolve(IdentityFiles.TRUST_BUNDLE), trustBundle());
    IdentityFiles.writePrivateKey(directory.resolve(IdentityFiles.CA_KEY), caKey);
  }

  /** The self-signed CA certificate. */
  public X509Certificate caCertificate() {
    return caCertificate;
  }

  /** The trust bundle nodes of this trust domain need: the CA certificate. */
  public List<X509Certificate> trustBundle() {
    return List.of(caCertificate);
  }

  public String trustDomain() {
    return trustDomain;
  }

  public SignatureAlgorithm algorithm() {
    return algorithm;
  }

  /** The default lifetime of issued SVIDs. */
  public Duration svidLifetime() {
    return svidLifetime;
  }

  /** The CA private key, for tests in this package that craft certificates by hand. */
  PrivateKey caKey() {
    return caKey;
  }

  @Override
  public String toString() {
    return "MeshCertificateAuthority[trustDomain=" + trustDomain + ", algorithm=" + algorithm
        + ", subject=" + caCertificate.getSubjectX500Principal().getName() + ", notAfter="
        + caCertificate.getNotAfter().toInstant() + "]";
  }

  private static BigInteger serial(SecureRandom random) {
    BigInteger serial;
    do {
      serial = new BigInteger(127, random);
    } while (serial.signum() == 0);
    return serial;
  }

  private static X509Certificate sign(
      X509v3CertificateBuilder builder, PrivateKey key, SignatureAlgorithm algorithm) {
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder(algorithm.jcaSignatureName())
              .setProvider(CryptoProviders.install().bouncyCastle())
              .build(key);
      return new JcaX509CertificateConverter()
          .setProvider(CryptoProviders.install().bouncyCastle())
          .getCertificate(builder.build(signer));
    } catch (OperatorCreationException | CertificateException e) {
      throw new PqcException("cannot sign a certificate with " + algorithm + ": " + e.getMessage(), e);
    }
  }

  private static X509Certificate selfSignedCa(
      String trustDomain, SignatureAlgorithm algorithm, KeyPair keys, Instant notBefore,
      Instant notAfter, SecureRandom random) {
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, ORGANISATION)
            .addRDN(BCStyle.CN, trustDomain + " mesh CA")
            .build();
    try {
      SubjectPublicKeyInfo keyInfo = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
      X509v3CertificateBuilder builder =
          new X509v3CertificateBuilder(
              subject, serial(random), Date.from(notBefore), Date.from(notAfter), subject, keyInfo);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName(
                  GeneralName.uniformResourceIdentifier, SpiffeId.forTrustDomain(trustDomain).toUri())));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keyInfo));
      return sign(builder, keys.getPrivate(), algorithm);
    } catch (CertIOException | java.security.NoSuchAlgorithmException e) {
      throw new PqcException("cannot create the CA certificate of " + trustDomain + ": " + e.getMessage(), e);
    }
  }

  /**
   * Configures a {@link MeshCertificateAuthority}. Defaults: Ed25519, a 365-day CA, 24-hour
   * SVIDs, the system UTC clock and a new {@link SecureRandom}. Not thread-safe.
   */
  public static final class Builder {
    private String trustDomain;
    private SignatureAlgorithm algorithm = SignatureAlgorithm.ED25519;
    private Duration caLifetime = DEFAULT_CA_LIFETIME;
    private Duration svidLifetime = DEFAULT_SVID_LIFETIME;
    private Clock clock = Clock.systemUTC();
    private SecureRandom random;

    private Builder() {}

    /** The trust domain; required by {@link #init()}, checked against the files by {@link #load}. */
    public Builder trustDomain(String value) {
      this.trustDomain = SpiffeId.requireValidTrustDomain(value);
      return this;
    }

    public Builder algorithm(SignatureAlgorithm value) {
      this.algorithm = Objects.requireNonNull(value, "algorithm");
      return this;
    }

    public Builder caLifetime(Duration value) {
      this.caLifetime = positive(value, "caLifetime");
      return this;
    }

    public Builder svidLifetime(Duration value) {
      this.svidLifetime = positive(value, "svidLifetime");
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    public Builder random(SecureRandom value) {
      this.random = Objects.requireNonNull(value, "random");
      return this;
    }

    /** Creates a new CA key pair and self-signed CA certificate. */
    public MeshCertificateAuthority init() {
      if (trustDomain == null) {
        throw new PqcException("trustDomain is required to initialise a mesh CA");
      }
      SecureRandom rng = rng();
      KeyPair keys = algorithm.generateKeyPair(rng);
      Instant notBefore = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      X509Certificate certificate =
          selfSignedCa(trustDomain, algorithm, keys, notBefore, notBefore.plus(caLifetime), rng);
      return new MeshCertificateAuthority(
          trustDomain, algorithm, keys.getPrivate(), certificate, svidLifetime, clock, rng);
    }

    /**
     * Loads a CA saved by {@link MeshCertificateAuthority#save(Path)}. The trust domain and
     * algorithm come from the certificate; the key must match it.
     */
    public MeshCertificateAuthority load(Path directory) {
      Path keyFile = directory.resolve(IdentityFiles.CA_KEY);
      PrivateKey key = IdentityFiles.readPrivateKey(keyFile);
      X509Certificate certificate =
          IdentityFiles.readCertificates(directory.resolve(IdentityFiles.CA_CERT)).get(0);
      return fromKeyAndCertificate(key, certificate, keyFile.toString());
    }

    /** Wraps an existing CA key and certificate (e.g. from another store). */
    public MeshCertificateAuthority fromKeyAndCertificate(
        PrivateKey key, X509Certificate certificate, String source) {
      if (certificate.getBasicConstraints() < 0) {
        throw new PqcException(
            "certificate " + certificate.getSubjectX500Principal().getName() + " from " + source
                + " is not a CA certificate (basicConstraints cA is false)");
      }
      PublicKey publicKey = certificate.getPublicKey();
      SignatureAlgorithm loaded =
          SignatureAlgorithm.of(publicKey)
              .orElseThrow(
                  () ->
                      new PqcException(
                          "CA key algorithm " + publicKey.getAlgorithm() + " from " + source
                              + " is not one of " + java.util.Arrays.toString(SignatureAlgorithm.values())));
      if (!Keys.matches(key, publicKey)) {
        throw new PqcException("CA private key from " + source + " does not match the CA certificate");
      }
      String certificateDomain = trustDomainOf(certificate, source);
      if (trustDomain != null && !trustDomain.equals(certificateDomain)) {
        throw new PqcException(
            "CA certificate from " + source + " is for trust domain '" + certificateDomain
                + "'; expected '" + trustDomain + "'");
      }
      return new MeshCertificateAuthority(
          certificateDomain, loaded, key, certificate, svidLifetime, clock, rng());
    }

    private SecureRandom rng() {
      if (random == null) {
        random = new SecureRandom();
      }
      return random;
    }

    private static String trustDomainOf(X509Certificate certificate, String source) {
      List<String> uris = SvidValidator.uriSans(certificate);
      if (uris.size() != 1) {
        throw new PqcException(
            "CA certificate from " + source + " has " + uris.size()
                + " URI SANs; expected exactly the trust domain's SPIFFE ID");
      }
      return SpiffeId.parse(uris.get(0)).trustDomain();
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isZero() || value.isNegative()) {
        throw new PqcException(name + " " + value + " must be positive");
      }
      return value;
    }
  }
}
