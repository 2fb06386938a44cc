package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameTypeTest {
  @Test
  void codes_everyType_uniqueAndNonZero() {
    assertThat(Arrays.stream(FrameType.values()).map(FrameType::code))
        .doesNotHaveDuplicates()
        .allSatisfy(code -> assertThat(code).isBetween(1, 255));
  }

  @Test
  void fromCode_everyByte_findsExactlyTheRegisteredTypes() {
    for (int code = 0; code < 256; code++) {
      int c = code;
      assertThat(FrameType.fromCode(code))
          .as("code %d", code)
          .isEqualTo(Arrays.stream(FrameType.values()).filter(t -> t.code() == c).findFirst());
    }
    assertThat(FrameType.fromCode(-1)).isEmpty();
    assertThat(FrameType.fromCode(256)).isEmpty();
  }

  @Test
  void opaque_onlyTheOtherLayersTypes() {
    assertThat(Arrays.stream(FrameType.values()).filter(FrameType::opaque))
        .containsExactly(FrameType.LINK_STATE_ADVERT, FrameType.QUARANTINE_NOTICE, FrameType.DATA,
            FrameType.DATA_ACK, FrameType.BROADCAST);
  }

  @Test
  void bodyBounds_everyType_minAtMostMax() {
    for (FrameType type : FrameType.values()) {
      assertThat(type.minBodyLength()).as("%s", type).isLessThanOrEqualTo(type.maxBodyLength());
      assertThat(type.allowedFlags()).isZero();
    }
  }

  @Test
  void goodbyeReasons_codesUniqueAndRoundTrip() {
    assertThat(Arrays.stream(GoodbyeReason.values()).map(GoodbyeReason::code))
        .doesNotHaveDuplicates();
    for (GoodbyeReason reason : GoodbyeReason.values()) {
      assertThat(GoodbyeReason.fromCode(reason.code())).contains(reason);
    }
    assertThat(GoodbyeReason.fromCode(0xffff)).isEmpty();
    assertThat(GoodbyeReason.fromCode(-1)).isEmpty();
  }

  @Test
  void probeOutcomes_codesRoundTrip() {
    for (ProbeOutcome outcome : ProbeOutcome.values()) {
      assertThat(ProbeOutcome.fromCode(outcome.code())).contains(outcome);
    }
    assertThat(ProbeOutcome.fromCode(3)).isEmpty();
    assertThat(ProbeOutcome.fromCode(255)).isEmpty();
  }
}
