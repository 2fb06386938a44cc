package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TlsSettingsTest {

  @Test
  void defaults_hybridOnlyWithHybridEarlyShare() {
    TlsSettings s = TlsSettings.defaults();
    assertThat(s.namedGroups()).containsExactly("X25519MLKEM768");
    assertThat(s.earlyKeyShare()).isEqualTo("X25519MLKEM768");
    assertThat(s.allowClassicalKeyExchange()).isFalse();
    assertThat(s.mlDsaCertificates()).isFalse();
  }

  @Test
  void build_pureAndClassicalAllowed_classicalListedLastNeverEarly() {
    TlsSettings s =
        TlsSettings.builder()
            .keyExchange(TlsSettings.KeyExchange.PURE_MLKEM768)
            .allowClassicalKeyExchange(true)
            .build();
    assertThat(s.namedGroups()).containsExactly("MLKEM768", "x25519");
    assertThat(s.earlyKeyShare()).isEqualTo("MLKEM768");
    assertThat(s.toBuilder().build()).isEqualTo(s);
  }

  @Test
  void handshakeTimeout_zero_refusedNamingTheValue() {
    assertThatThrownBy(() -> TlsSettings.builder().handshakeTimeout(Duration.ZERO))
        .isInstanceOf(TlsSetupException.class)
        .hasMessageContaining("PT0S");
  }

  @Test
  void cipherSuites_aesGcmOnly() {
    assertThat(TlsSettings.CIPHER_SUITES)
        .containsExactly("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384")
        .noneMatch(c -> c.contains("CHACHA"));
  }
}
