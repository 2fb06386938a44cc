package dev.x0tta6bl4.pqc;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Locale;

/** Key helpers shared by the CA, the identity sources and the envelope code. */
final class Keys {

  // A fixed probe suffices: a signature over it verifies only if the keys are a pair.
  private static final byte[] PROBE =
      "x0tta6bl4 meshd key-pair probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private Keys() {}

  /** The JCA signature name to use with a key of this public key's type. */
  static String signatureNameFor(PublicKey key) {
    return SignatureAlgorithm.of(key)
        .map(SignatureAlgorithm::jcaSignatureName)
        .orElseGet(() -> fallbackSignatureName(key.getAlgorithm()));
  }

  private static String fallbackSignatureName(String keyAlgorithm) {
    switch (keyAlgorithm.toUpperCase(Locale.ROOT)) {
      case "RSA":
        return "SHA256withRSA";
      case "EC":
      case "ECDSA":
        return "SHA256withECDSA";
      default:
        throw new PqcException(
            "unsupported key algorithm '" + keyAlgorithm
                + "'; expected Ed25519, ML-DSA-65, EC P-256 or RSA");
    }
  }

  /**
   * Proves that {@code privateKey} belongs to {@code publicKey} by signing a probe and
   * verifying it: comparing encodings is not possible across key formats.
   */
  static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
    byte[] probe = PROBE.clone();
    try {
      String name = signatureNameFor(publicKey);
      Signature signer = Signature.getInstance(name, CryptoProviders.install().bouncyCastle());
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(name, CryptoProviders.install().bouncyCastle());
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | PqcException e) {
      return false;
    }
  }
}
