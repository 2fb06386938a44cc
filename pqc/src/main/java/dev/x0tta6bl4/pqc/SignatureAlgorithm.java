package dev.x0tta6bl4.pqc;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.jcajce.spec.EdDSAParameterSpec;
import org.bouncycastle.jcajce.spec.MLDSAParameterSpec;

/**
 * Signature algorithms for mesh identities: the keys of the mesh CA and of node SVIDs.
 *
 * <p>{@link #ED25519} is the default (fast, classical). {@link #ML_DSA_65} is the
 * post-quantum choice (FIPS 204); its certificates are large (~5.6 KB) and need the
 * {@code mldsa65} TLS signature scheme enabled on both sides. {@link #ECDSA_P256} exists
 * for the Raft gRPC port, whose BoringSSL engine rejects Ed25519 certificates.
 *
 * <p>All key objects come from the Bouncy Castle provider.
 */
public enum SignatureAlgorithm {
  ED25519("Ed25519", "Ed25519"),
  ML_DSA_65("ML-DSA-65", "ML-DSA-65"),
  ECDSA_P256("EC", "SHA256withECDSA");

  private final String keyAlgorithm;
  private final String jcaSignatureName;

  SignatureAlgorithm(String keyAlgorithm, String jcaSignatureName) {
    this.keyAlgorithm = keyAlgorithm;
    this.jcaSignatureName = jcaSignatureName;
  }

  /** The JCA signature algorithm name, e.g. {@code Ed25519} or {@code ML-DSA-65}. */
  public String jcaSignatureName() {
    return jcaSignatureName;
  }

  /** Generates a key pair for this algorithm through the Bouncy Castle provider. */
  public KeyPair generateKeyPair(SecureRandom random) {
    try {
      KeyPairGenerator generator =
          KeyPairGenerator.getInstance(keyAlgorithm, CryptoProviders.install().bouncyCastle());
      generator.initialize(parameterSpec(), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new PqcException("cannot generate a " + this + " key pair: " + e.getMessage(), e);
    }
  }

  private AlgorithmParameterSpec parameterSpec() {
    switch (this) {
      case ED25519:
        return new EdDSAParameterSpec(EdDSAParameterSpec.Ed25519);
      case ML_DSA_65:
        return MLDSAParameterSpec.ml_dsa_65;
      default:
        return new ECGenParameterSpec("secp256r1");
    }
  }

  /**
   * The algorithm of a key, if it is one of ours. Recognises BC and JDK key objects by their
   * JCA algorithm name ({@code Ed25519}/{@code EdDSA}, {@code ML-DSA-65}/{@code ML-DSA},
   * {@code EC}).
   */
  public static Optional<SignatureAlgorithm> of(PublicKey key) {
    return fromKeyAlgorithmName(key.getAlgorithm(), key.getEncoded());
  }

  /** The algorithm of a private key, if it is one of ours. */
  public static Optional<SignatureAlgorithm> of(PrivateKey key) {
    return fromKeyAlgorithmName(key.getAlgorithm(), null);
  }

  private static Optional<SignatureAlgorithm> fromKeyAlgorithmName(String name, byte[] encoded) {
    String upper = name.toUpperCase(Locale.ROOT);
    switch (upper) {
      case "ED25519":
        return Optional.of(ED25519);
      case "EDDSA":
        // The JDK names both curves EdDSA; an Ed25519 SubjectPublicKeyInfo is 44 bytes.
        return encoded == null || encoded.length == 44 ? Optional.of(ED25519) : Optional.empty();
      case "ML-DSA-65":
        return Optional.of(ML_DSA_65);
      case "ML-DSA":
        return encoded == null || encoded.length == 1974
            ? Optional.of(ML_DSA_65)
            : Optional.empty();
      case "EC":
      case "ECDSA":
        // A P-256 SubjectPublicKeyInfo (uncompressed point, named curve) is 91 bytes.
        return encoded == null || encoded.length == 91 ? Optional.of(ECDSA_P256) : Optional.empty();
      default:
        return Optional.empty();
    }
  }
}
