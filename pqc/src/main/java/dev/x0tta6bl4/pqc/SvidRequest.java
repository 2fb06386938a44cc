package dev.x0tta6bl4.pqc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * What the {@link MeshCertificateAuthority} is asked to certify: a node id, the node's public
 * key (generated on the node; the CA never sees the private key), an optional lifetime and
 * optional extra DNS/IP subject alternative names (the Raft gRPC port checks host names).
 *
 * <p>Built with {@link #forPublicKey} or from a PKCS#10 CSR with {@link #fromCsr}, which
 * verifies the CSR's self-signature. The CSR's subject and requested extensions are ignored:
 * the CA names the certificate from the node id alone. An immutable value.
 *
 * @param nodeId the node id, a single SPIFFE path segment
 * @param publicKey the node's public key
 * @param lifetime the certificate lifetime; empty means the CA's default
 * @param dnsNames extra DNS SANs
 * @param ipAddresses extra IP SANs
 */
public record SvidRequest(
    String nodeId,
    PublicKey publicKey,
    Optional<Duration> lifetime,
    List<String> dnsNames,
    List<InetAddress> ipAddresses) {

  /** Largest CSR accepted: an ML-DSA-65 CSR is ~5.3 KB of DER. */
  public static final int MAX_CSR_BYTES = 64 * 1024;

  public SvidRequest {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(lifetime, "lifetime");
    dnsNames = List.copyOf(dnsNames);
    ipAddresses = List.copyOf(ipAddresses);
    lifetime.ifPresent(
        value -> {
          if (value.isZero() || value.isNegative()) {
            throw new PqcException("SVID lifetime " + value + " must be positive");
          }
        });
    // Validates the node id as a path segment; the trust domain here is a placeholder.
    SpiffeId.forNode("placeholder", nodeId);
  }

  /** Starts a request for a public key the node generated itself. */
  public static Builder forPublicKey(String nodeId, PublicKey publicKey) {
    return new Builder(nodeId, publicKey);
  }

  /**
   * Starts a request from a PKCS#10 CSR (DER, or PEM "CERTIFICATE REQUEST"), after verifying
   * that the CSR is signed by the key it carries.
   *
   * @throws PqcException if the CSR cannot be parsed or its signature does not verify
   */
  public static Builder fromCsr(String nodeId, byte[] csr) {
    Objects.requireNonNull(csr, "csr");
    if (csr.length > MAX_CSR_BYTES) {
      throw new PqcException("CSR is " + csr.length + " bytes; at most " + MAX_CSR_BYTES + " accepted");
    }
    PKCS10CertificationRequest request = parseCsr(csr);
    try {
      boolean valid =
          request.isSignatureValid(
              new JcaContentVerifierProviderBuilder()
                  .setProvider(CryptoProviders.install().bouncyCastle())
                  .build(request.getSubjectPublicKeyInfo()));
      if (!valid) {
        throw new PqcException(
            "CSR for node '" + nodeId + "' has a signature that does not verify with its own public key");
      }
      PublicKey key =
          new JcaPKCS10CertificationRequest(request).setProvider(CryptoProviders.install().bouncyCastle()).getPublicKey();
      return new Builder(nodeId, key);
    } catch (OperatorCreationException | PKCSException | java.security.GeneralSecurityException e) {
      throw new PqcException(
          "CSR for node '" + nodeId + "' cannot be verified: " + e.getMessage(), e);
    }
  }

  /**
   * Creates the DER PKCS#10 CSR a node sends to the CA: subject {@code CN=<nodeId>}, signed
   * with the node's own key. Runs on the node; the private key never leaves it.
   */
  public static byte[] createCsr(String nodeId, KeyPair keyPair) {
    SpiffeId.forNode("placeholder", nodeId);
    try {
      X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, nodeId).build();
      ContentSigner signer =
          new JcaContentSignerBuilder(Keys.signatureNameFor(keyPair.getPublic()))
              .setProvider(CryptoProviders.install().bouncyCastle())
              .build(keyPair.getPrivate());
      return new JcaPKCS10CertificationRequestBuilder(subject, keyPair.getPublic())
          .build(signer)
          .getEncoded();
    } catch (OperatorCreationException | IOException e) {
      throw new PqcException("cannot create a CSR for node '" + nodeId + "': " + e.getMessage(), e);
    }
  }

  private static PKCS10CertificationRequest parseCsr(byte[] csr) {
    try {
      if (csr.length > 0 && csr[0] == '-') {
        try (PEMParser parser =
            new PEMParser(new InputStreamReader(new ByteArrayInputStream(csr), StandardCharsets.US_ASCII))) {
          Object object = parser.readObject();
          if (object instanceof PKCS10CertificationRequest) {
            return (PKCS10CertificationRequest) object;
          }
          throw new PqcException(
              "PEM CSR holds " + (object == null ? "nothing" : object.getClass().getSimpleName())
                  + "; expected a CERTIFICATE REQUEST");
        }
      }
      return new PKCS10CertificationRequest(csr);
    } catch (IOException | RuntimeException e) {
      if (e instanceof PqcException) {
        throw (PqcException) e;
      }
      throw new PqcException("CSR is not a valid PKCS#10 request: " + e.getMessage(), e);
    }
  }

  /** Builder of an {@link SvidRequest}; not thread-safe. */
  public static final class Builder {
    private final String nodeId;
    private final PublicKey publicKey;
    private Duration lifetime;
    private final List<String> dnsNames = new ArrayList<>();
    private final List<InetAddress> ipAddresses = new ArrayList<>();

    private Builder(String nodeId, PublicKey publicKey) {
      this.nodeId = nodeId;
      this.publicKey = publicKey;
    }

    /** Certificate lifetime instead of the CA's default. */
    public Builder lifetime(Duration value) {
      this.lifetime = Objects.requireNonNull(value, "lifetime");
      return this;
    }

    /** Adds a DNS subject alternative name. */
    public Builder dnsName(String name) {
      Objects.requireNonNull(name, "dnsName");
      if (name.isEmpty() || name.length() > 253) {
        throw new PqcException("DNS name '" + name + "' must have 1 to 253 characters");
      }
      dnsNames.add(name);
      return this;
    }

    /** Adds an IP address subject alternative name. */
    public Builder ipAddress(InetAddress address) {
      ipAddresses.add(Objects.requireNonNull(address, "ipAddress"));
      return this;
    }

    public SvidRequest build() {
      return new SvidRequest(nodeId, publicKey, Optional.ofNullable(lifetime), dnsNames, ipAddresses);
    }
  }
}
