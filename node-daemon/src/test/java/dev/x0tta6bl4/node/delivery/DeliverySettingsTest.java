package dev.x0tta6bl4.node.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeliverySettingsTest {
  @Test
  void defaults_areTheDocumentedValues() {
    DeliverySettings d = DeliverySettings.defaults();
    assertThat(d.maxPayloadBytes()).isEqualTo(65_536);
    assertThat(d.defaultTtl()).isEqualTo(64);
    assertThat(d.maxInFlight()).isEqualTo(16_384);
    assertThat(d.initialRto()).isEqualTo(Duration.ofMillis(200));
    assertThat(d.minRto()).isEqualTo(Duration.ofMillis(20));
    assertThat(d.maxRto()).isEqualTo(Duration.ofSeconds(2));
    assertThat(d.maxAttempts()).isEqualTo(8);
    assertThat(d.maxDeliveryTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.dedupHold()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.toBuilder().build()).isEqualTo(d);
  }

  @Test
  void build_dedupHoldShorterThanDeliveryTime_isRejectedNamingBoth() {
    assertThatThrownBy(() -> DeliverySettings.builder().dedupHold(Duration.ofSeconds(5)).build())
        .isInstanceOf(DeliveryException.class)
        .hasMessage("dedup-hold PT5S is invalid; allowed: at least max-delivery-time (PT10S)");
  }

  @Test
  void build_broadcastWindowNotPowerOfTwo_isRejected() {
    assertThatThrownBy(() -> DeliverySettings.builder().broadcastWindow(1000).build())
        .hasMessage("broadcast-window 1000 is invalid; allowed: a power of two");
  }

  @Test
  void build_ttlOutOfRange_isRejected() {
    assertThatThrownBy(() -> DeliverySettings.builder().defaultTtl(0).build())
        .hasMessage("default-ttl 0 is out of range; allowed: 1..255");
  }
}
