package dev.x0tta6bl4.pqc;

import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAPublicKeyParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSASigner;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.jcajce.interfaces.XDHPrivateKey;
import org.bouncycastle.util.encoders.Hex;

/**
 * Known-answer self-tests of every algorithm the node relies on, run at start-up before any
 * port is opened: SHA-256, SHA3-256, AES-256-GCM (on the provider that protects TLS records),
 * X25519, Ed25519, ML-KEM-768 and ML-DSA-65 (on Bouncy Castle). The vectors and their
 * sources are listed in {@code KnownAnswerVectors}: published FIPS/RFC/NIST ACVP vectors,
 * except ML-KEM-768 encapsulation and the ML-DSA-65 signature, which are regression vectors.
 *
 * <p>Stateless; run it from the start-up thread. A failing algorithm never stops the others
 * from being tested, so the report lists every failure.
 */
public final class CryptoSelfTest {

  /** The outcome for one algorithm; {@code failure} says what differed or what was thrown. */
  public record AlgorithmResult(
      String algorithm, boolean passed, Duration duration, Optional<String> failure) {
    public AlgorithmResult {
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(failure, "failure");
    }
  }

  /** All results, in test order. */
  public record Report(List<AlgorithmResult> results) {
    public Report {
      results = List.copyOf(results);
    }

    /** True when every algorithm passed. */
    public boolean passed() {
      return results.stream().allMatch(AlgorithmResult::passed);
    }

    /** The failed algorithms only. */
    public List<AlgorithmResult> failures() {
      return results.stream().filter(r -> !r.passed()).collect(Collectors.toList());
    }

    /** One line such as {@code "self-test passed: SHA-256 0.1 ms, ..."}. */
    public String summary() {
      return (passed() ? "self-test passed: " : "self-test FAILED: ")
          + results.stream()
              .map(
                  r ->
                      r.algorithm()
                          + (r.passed() ? " ok " : " FAILED ")
                          + String.format("%.1f ms", r.duration().toNanos() / 1e6)
                          + r.failure().map(f -> " (" + f + ")").orElse(""))
              .collect(Collectors.joining(", "));
    }

    /**
     * @throws CryptoStackException naming every failed algorithm and why
     */
    public void throwIfFailed() {
      if (!passed()) {
        throw new CryptoStackException(
            "cryptographic self-test failed: "
                + failures().stream()
                    .map(r -> r.algorithm() + ": " + r.failure().orElse("failed"))
                    .collect(Collectors.joining("; ")));
      }
    }
  }

  @FunctionalInterface
  private interface Check {
    /** Returns empty when the answer is known-good, else what differed. */
    Optional<String> run() throws Exception;
  }

  private final Provider bc;
  private final Provider bulk;
  private final KnownAnswerVectors v;
  private final LongSupplier nanoTime;

  private CryptoSelfTest(
      CryptoProviders providers, KnownAnswerVectors vectors, LongSupplier nanoTime) {
    this.bc = providers.bouncyCastle();
    this.bulk = providers.bulkCipherProvider();
    this.v = vectors;
    this.nanoTime = nanoTime;
  }

  /** Runs every known-answer test against {@code providers}. */
  public static Report run(CryptoProviders providers) {
    return run(providers, KnownAnswerVectors.standard(), System::nanoTime);
  }

  static Report run(CryptoProviders providers, KnownAnswerVectors vectors, LongSupplier nanoTime) {
    return new CryptoSelfTest(providers, vectors, nanoTime).runAll();
  }

  private Report runAll() {
    List<AlgorithmResult> results = new ArrayList<>();
    results.add(time("SHA-256", () -> digest("SHA-256")));
    results.add(time("SHA3-256", () -> digest("SHA3-256")));
    results.add(time("AES-256-GCM", this::aesGcm));
    results.add(time("X25519", this::x25519));
    results.add(time("Ed25519", this::ed25519));
    results.add(time("ML-KEM-768", this::mlKem768));
    results.add(time("ML-DSA-65", this::mlDsa65));
    return new Report(results);
  }

  private AlgorithmResult time(String algorithm, Check check) {
    long start = nanoTime.getAsLong();
    Optional<String> failure;
    try {
      failure = check.run();
    } catch (Exception | AssertionError e) {
      failure = Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    Duration took = Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - start));
    return new AlgorithmResult(algorithm, failure.isEmpty(), took, failure);
  }

  private Optional<String> digest(String algorithm) throws Exception {
    byte[] actual = MessageDigest.getInstance(algorithm, bc).digest(v.bytes(algorithm + "/message"));
    return compare("digest", v.bytes(algorithm + "/digest"), actual);
  }

  private Optional<String> aesGcm() throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", bulk);
    SecretKeySpec key = new SecretKeySpec(v.bytes("AES-256-GCM/key"), "AES");
    GCMParameterSpec iv = new GCMParameterSpec(128, v.bytes("AES-256-GCM/iv"));
    cipher.init(Cipher.ENCRYPT_MODE, key, iv);
    byte[] sealed = cipher.doFinal(v.bytes("AES-256-GCM/plaintext"));
    Optional<String> enc = compare("ciphertext||tag", v.bytes("AES-256-GCM/ciphertext-and-tag"), sealed);
    if (enc.isPresent()) {
      return enc;
    }
    cipher.init(Cipher.DECRYPT_MODE, key, iv);
    return compare("decrypted plaintext", v.bytes("AES-256-GCM/plaintext"), cipher.doFinal(sealed));
  }

  private Optional<String> x25519() throws Exception {
    KeyFactory kf = KeyFactory.getInstance("X25519", bc);
    PrivateKey alice = kf.generatePrivate(pkcs8("302e020100300506032b656e04220420", "X25519/alice-private"));
    PrivateKey bob = kf.generatePrivate(pkcs8("302e020100300506032b656e04220420", "X25519/bob-private"));
    PublicKey alicePub = kf.generatePublic(spki("302a300506032b656e032100", "X25519/alice-public"));
    PublicKey bobPub = kf.generatePublic(spki("302a300506032b656e032100", "X25519/bob-public"));
    Optional<String> derived = compare("Alice's public key", v.bytes("X25519/alice-public"),
        rawPublic(((XDHPrivateKey) alice).getPublicKey()));
    if (derived.isPresent()) {
      return derived;
    }
    KeyAgreement ka = KeyAgreement.getInstance("X25519", bc);
    ka.init(alice);
    ka.doPhase(bobPub, true);
    Optional<String> shared = compare("shared secret (Alice)", v.bytes("X25519/shared"), ka.generateSecret());
    if (shared.isPresent()) {
      return shared;
    }
    ka.init(bob);
    ka.doPhase(alicePub, true);
    return compare("shared secret (Bob)", v.bytes("X25519/shared"), ka.generateSecret());
  }

  private Optional<String> ed25519() throws Exception {
    KeyFactory kf = KeyFactory.getInstance("Ed25519", bc);
    PrivateKey priv = kf.generatePrivate(pkcs8("302e020100300506032b657004220420", "Ed25519/private"));
    PublicKey pub = kf.generatePublic(spki("302a300506032b6570032100", "Ed25519/public"));
    Signature signer = Signature.getInstance("Ed25519", bc);
    signer.initSign(priv);
    signer.update(v.bytes("Ed25519/message"));
    byte[] sig = signer.sign();
    Optional<String> sigCheck = compare("signature", v.bytes("Ed25519/signature"), sig);
    if (sigCheck.isPresent()) {
      return sigCheck;
    }
    Signature verifier = Signature.getInstance("Ed25519", bc);
    verifier.initVerify(pub);
    verifier.update(v.bytes("Ed25519/message"));
    return verifier.verify(sig) ? Optional.empty() : Optional.of("published signature did not verify");
  }

  private Optional<String> mlKem768() throws Exception {
    byte[] seed = concat(v.bytes("ML-KEM-768/d"), v.bytes("ML-KEM-768/z"));
    MLKEMPrivateKeyParameters dk = new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, seed);
    Optional<String> ek = compare("SHA-256(ek)", v.bytes("ML-KEM-768/ek-sha256"), sha256(dk.getPublicKey()));
    if (ek.isPresent()) {
      return ek;
    }
    byte[] dkTail = v.bytes("ML-KEM-768/dk-tail");
    byte[] dkEncoded = dk.getEncoded();
    Optional<String> dkCheck = compare("dk tail H(ek)||z", dkTail,
        Arrays.copyOfRange(dkEncoded, dkEncoded.length - dkTail.length, dkEncoded.length));
    if (dkCheck.isPresent()) {
      return dkCheck;
    }
    SecretWithEncapsulation enc =
        MLKEMGenerator.internalGenerateEncapsulated(dk.getPublicKeyParameters(), v.bytes("ML-KEM-768/m"));
    byte[] secret = enc.getSecret();
    Optional<String> ct = compare("SHA-256(ciphertext)", v.bytes("ML-KEM-768/ct-sha256"), sha256(enc.getEncapsulation()));
    if (ct.isPresent()) {
      return ct;
    }
    Optional<String> k = compare("shared key", v.bytes("ML-KEM-768/shared"), secret);
    if (k.isPresent()) {
      return k;
    }
    return compare("decapsulated key", secret, new MLKEMExtractor(dk).extractSecret(enc.getEncapsulation()));
  }

  private Optional<String> mlDsa65() throws Exception {
    MLDSAPrivateKeyParameters sk = new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, v.bytes("ML-DSA-65/seed"));
    Optional<String> pk = compare("SHA-256(pk)", v.bytes("ML-DSA-65/pk-sha256"), sha256(sk.getPublicKey()));
    if (pk.isPresent()) {
      return pk;
    }
    byte[] expectedPrefix = v.bytes("ML-DSA-65/sk-prefix");
    Optional<String> skCheck = compare("sk rho||K||tr", expectedPrefix,
        Arrays.copyOf(sk.getEncoded(), expectedPrefix.length));
    if (skCheck.isPresent()) {
      return skCheck;
    }
    byte[] message = v.bytes("ML-DSA-65/message");
    MLDSASigner signer = new MLDSASigner();
    signer.init(true, sk);
    signer.update(message, 0, message.length);
    byte[] sig = signer.generateSignature();
    Optional<String> sigCheck = compare("SHA-256(signature)", v.bytes("ML-DSA-65/signature-sha256"), sha256(sig));
    if (sigCheck.isPresent()) {
      return sigCheck;
    }
    MLDSAPublicKeyParameters pub = sk.getPublicKeyParameters();
    MLDSASigner verifier = new MLDSASigner();
    verifier.init(false, pub);
    verifier.update(message, 0, message.length);
    return verifier.verifySignature(sig) ? Optional.empty() : Optional.of("own signature did not verify");
  }

  private PKCS8EncodedKeySpec pkcs8(String derPrefix, String key) {
    return new PKCS8EncodedKeySpec(concat(Hex.decode(derPrefix), v.bytes(key)));
  }

  private X509EncodedKeySpec spki(String derPrefix, String key) {
    return new X509EncodedKeySpec(concat(Hex.decode(derPrefix), v.bytes(key)));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] rawPublic(PublicKey key) {
    byte[] der = key.getEncoded();
    return Arrays.copyOfRange(der, der.length - 32, der.length);
  }

  private byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256", bc).digest(data);
  }

  private static Optional<String> compare(String what, byte[] expected, byte[] actual) {
    if (MessageDigest.isEqual(expected, actual)) {
      return Optional.empty();
    }
    return Optional.of(
        what + " was " + abbreviate(Hex.toHexString(actual)) + ", expected "
            + abbreviate(Hex.toHexString(expected)));
  }

  private static String abbreviate(String hex) {
    return hex.length() <= 64 ? hex : hex.substring(0, 64) + "...(" + hex.length() / 2 + " bytes)";
  }
}
