package dev.x0tta6bl4.load;

import dev.x0tta6bl4.pqc.CryptoProviders;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyPairGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** ML-KEM-768 encapsulation/decapsulation, ML-DSA-65 and Ed25519 sign/verify of 256 bytes (BC). */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CryptoPrimitivesBenchmark {

  private final byte[] message = new byte[256];
  private MLKEMGenerator kemGenerator;
  private MLKEMExtractor kemExtractor;
  private AsymmetricCipherKeyPair kemKeys;
  private byte[] ciphertext;
  private Signature mlDsaSigner;
  private Signature mlDsaVerifier;
  private byte[] mlDsaSignature;
  private Signature edSigner;
  private Signature edVerifier;
  private byte[] edSignature;

  @Setup
  public void setUp() throws Exception {
    Provider bc = CryptoProviders.install().bouncyCastle();
    SecureRandom random = new SecureRandom();
    random.nextBytes(message);
    MLKEMKeyPairGenerator kpg = new MLKEMKeyPairGenerator();
    kpg.init(new MLKEMKeyGenerationParameters(random, MLKEMParameters.ml_kem_768));
    kemKeys = kpg.generateKeyPair();
    kemGenerator = new MLKEMGenerator(random);
    kemExtractor = new MLKEMExtractor((MLKEMPrivateKeyParameters) kemKeys.getPrivate());
    ciphertext = kemGenerator.generateEncapsulated(kemKeys.getPublic()).getEncapsulation();

    KeyPair mlDsa = KeyPairGenerator.getInstance("ML-DSA-65", bc).generateKeyPair();
    mlDsaSigner = Signature.getInstance("ML-DSA-65", bc);
    mlDsaSigner.initSign(mlDsa.getPrivate());
    mlDsaVerifier = Signature.getInstance("ML-DSA-65", bc);
    mlDsaVerifier.initVerify(mlDsa.getPublic());
    mlDsaSignature = mlDsaSign();

    KeyPair ed = KeyPairGenerator.getInstance("Ed25519", bc).generateKeyPair();
    edSigner = Signature.getInstance("Ed25519", bc);
    edSigner.initSign(ed.getPrivate());
    edVerifier = Signature.getInstance("Ed25519", bc);
    edVerifier.initVerify(ed.getPublic());
    edSignature = ed25519Sign();
  }

  @Benchmark
  public byte[] mlKem768Encapsulate() {
    SecretWithEncapsulation s = kemGenerator.generateEncapsulated(kemKeys.getPublic());
    return s.getEncapsulation();
  }

  @Benchmark
  public byte[] mlKem768Decapsulate() {
    return kemExtractor.extractSecret(ciphertext);
  }

  @Benchmark
  public byte[] mlDsaSign() throws Exception {
    mlDsaSigner.update(message);
    return mlDsaSigner.sign();
  }

  @Benchmark
  public boolean mlDsaVerify() throws Exception {
    mlDsaVerifier.update(message);
    return mlDsaVerifier.verify(mlDsaSignature);
  }

  @Benchmark
  public byte[] ed25519Sign() throws Exception {
    edSigner.update(message);
    return edSigner.sign();
  }

  @Benchmark
  public boolean ed25519Verify() throws Exception {
    edVerifier.update(message);
    return edVerifier.verify(edSignature);
  }
}
