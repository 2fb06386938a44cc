package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CryptoSelfTestTest {

  private final CryptoProviders providers = CryptoProviders.install();

  @Test
  void run_realProviders_everyAlgorithmPasses() {
    CryptoSelfTest.Report report = CryptoSelfTest.run(providers);
    System.out.println(report.summary());
    assertThat(report.failures()).isEmpty();
    assertThat(report.results())
        .extracting(CryptoSelfTest.AlgorithmResult::algorithm)
        .containsExactly(
            "SHA-256", "SHA3-256", "AES-256-GCM", "X25519", "Ed25519", "ML-KEM-768", "ML-DSA-65");
    assertThat(report.passed()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
    "SHA-256, SHA-256/digest",
    "SHA3-256, SHA3-256/digest",
    "AES-256-GCM, AES-256-GCM/ciphertext-and-tag",
    "X25519, X25519/shared",
    "Ed25519, Ed25519/signature",
    "ML-KEM-768, ML-KEM-768/ek-sha256",
    "ML-KEM-768, ML-KEM-768/dk-tail",
    "ML-KEM-768, ML-KEM-768/ct-sha256",
    "ML-KEM-768, ML-KEM-768/shared",
    "ML-DSA-65, ML-DSA-65/pk-sha256",
    "ML-DSA-65, ML-DSA-65/sk-prefix",
    "ML-DSA-65, ML-DSA-65/signature-sha256"
  })
  void run_corruptedExpectedValue_reportsThatAlgorithmOnly(String algorithm, String key) {
    KnownAnswerVectors good = KnownAnswerVectors.standard();
    byte[] expected = good.bytes(key);
    expected[expected.length - 1] ^= 0x01;
    KnownAnswerVectors corrupted =
        good.with(key, org.bouncycastle.util.encoders.Hex.toHexString(expected));

    CryptoSelfTest.Report report = CryptoSelfTest.run(providers, corrupted, System::nanoTime);

    assertThat(report.passed()).isFalse();
    assertThat(report.failures()).hasSize(1);
    assertThat(report.failures().get(0).algorithm()).isEqualTo(algorithm);
    assertThat(report.failures().get(0).failure()).get().asString().contains("expected");
    assertThatThrownBy(report::throwIfFailed)
        .isInstanceOf(CryptoStackException.class)
        .hasMessageContaining(algorithm + ":");
  }

  @Test
  void run_fakeClock_durationsComeFromTheInjectedClock() {
    AtomicLong now = new AtomicLong();
    CryptoSelfTest.Report report =
        CryptoSelfTest.run(providers, KnownAnswerVectors.standard(), () -> now.addAndGet(1_000));
    assertThat(report.results())
        .allSatisfy(r -> assertThat(r.duration().toNanos()).isEqualTo(1_000));
  }
}
