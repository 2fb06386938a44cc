package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BcVersionLockTest {

  @Test
  void readJarVersions_realClassPath_allFourJarsAre184() {
    Map<String, String> versions = BcVersionLock.readJarVersions();
    assertThat(versions)
        .containsOnly(
            Map.entry("bcpkix", "1.84"),
            Map.entry("bcprov", "1.84"),
            Map.entry("bctls", "1.84"),
            Map.entry("bcutil", "1.84"));
    assertThat(BcVersionLock.verifyClassPath()).isEqualTo("1.84");
  }

  @Test
  void check_sameVersions_returnsTheVersion() {
    assertThat(
            BcVersionLock.check(
                Map.of("bcprov", "1.84", "bcpkix", "1.84", "bcutil", "1.84", "bctls", "1.84")))
        .isEqualTo("1.84");
  }

  @Test
  void check_oneJarDiffers_messageNamesBothVersionsAndTheJars() {
    assertThatThrownBy(
            () ->
                BcVersionLock.check(
                    Map.of("bcprov", "1.87", "bcpkix", "1.84", "bcutil", "1.84", "bctls", "1.84")))
        .isInstanceOf(CryptoStackException.class)
        .hasMessageContaining("1.84 (bcpkix, bctls, bcutil)")
        .hasMessageContaining("1.87 (bcprov)");
  }

  @Test
  void check_noVersions_refuses() {
    assertThatThrownBy(() -> BcVersionLock.check(Map.of()))
        .isInstanceOf(CryptoStackException.class)
        .hasMessageContaining("expected 4");
  }
}
