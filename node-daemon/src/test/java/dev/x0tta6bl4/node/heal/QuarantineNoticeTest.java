package dev.x0tta6bl4.node.heal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The notice payload codec: round trip, and a clear error for every malformed field. */
class QuarantineNoticeTest {
  private static final QuarantineNotice NOTICE = new QuarantineNotice("n1",
      QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES, Duration.ofSeconds(60), 7);

  @Test
  void encodeThenDecode_givesTheSameNotice_withTheDocumentedLayout() {
    byte[] wire = NOTICE.encode();
    assertThat(QuarantineNotice.decode(wire)).isEqualTo(NOTICE);
    // u8 version | u8 reason | u16 length | "n1" | u32 period ms | u32 evidence
    assertThat(wire).containsExactly(1, 1, 0, 2, 'n', '1', 0, 0, (byte) 0xEA, 0x60, 0, 0, 0, 7);
  }

  @Test
  void encodeThenDecode_extremes_roundTrip() {
    String longest = "a".repeat(63);
    QuarantineNotice max = new QuarantineNotice(longest,
        QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES, Duration.ofMillis(0xFFFF_FFFFL),
        0xFFFF_FFFFL);
    assertThat(max.encode()).hasSize(QuarantineNotice.MAX_ENCODED_BYTES);
    assertThat(QuarantineNotice.decode(max.encode())).isEqualTo(max);
    QuarantineNotice min = new QuarantineNotice("x",
        QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES, Duration.ofMillis(1), 0);
    assertThat(QuarantineNotice.decode(min.encode())).isEqualTo(min);
  }

  @Test
  void decode_nullOrOversized_namesTheProblem() {
    assertError(null, "quarantine notice is null");
    assertError(new byte[QuarantineNotice.MAX_ENCODED_BYTES + 1], "is 76 bytes; at most 75");
  }

  @Test
  void decode_everyTruncation_saysWhatIsMissing() {
    byte[] wire = NOTICE.encode();
    for (int n = 0; n < wire.length; n++) {
      byte[] cut = Arrays.copyOf(wire, n);
      assertThatThrownBy(() -> QuarantineNotice.decode(cut)).as("%d bytes", n)
          .isInstanceOf(QuarantineNoticeException.class)
          .hasMessageContaining("quarantine notice ends before");
    }
  }

  @Test
  void decode_badFields_eachNamed() {
    assertError(with(0, 2), "quarantine notice version 2 is unknown; expected 1");
    assertError(with(1, 9), "reason code 9 is unknown");
    assertError(with(1, 0), "reason code 0 is unknown");
    byte[] zeroLength = NOTICE.encode();
    ByteBuffer.wrap(zeroLength).putShort(2, (short) 0);
    assertError(zeroLength, "accused length 0 is outside [1, 63]");
    byte[] longLength = NOTICE.encode();
    ByteBuffer.wrap(longLength).putShort(2, (short) 64);
    assertError(longLength, "accused length 64 is outside [1, 63]");
    assertError(with(4, 0xC3), "accused is not valid UTF-8"); // a lone lead byte
    assertError(with(4, 'N'), "accused 'N1' is not a node id");
    assertError(with(4, '-'), "accused '-1' is not a node id");
    byte[] zeroPeriod = NOTICE.encode();
    ByteBuffer.wrap(zeroPeriod).putInt(6, 0);
    assertError(zeroPeriod, "period 0 is reserved (lift)");
    byte[] trailing = Arrays.copyOf(NOTICE.encode(), NOTICE.encode().length + 2);
    assertError(trailing, "2 bytes follow the evidence count");
  }

  @Test
  void constructor_rejectsOutOfRangeFields() {
    var reason = QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES;
    assertThatThrownBy(() -> new QuarantineNotice("n1", reason, Duration.ZERO, 0))
        .isInstanceOf(QuarantineNoticeException.class).hasMessageContaining("period PT0S");
    assertThatThrownBy(() -> new QuarantineNotice("n1", reason, Duration.ofMillis(1L << 32), 0))
        .hasMessageContaining("is outside [1 ms, 4294967295 ms]");
    assertThatThrownBy(() -> new QuarantineNotice("n1", reason, Duration.ofSeconds(1), -1))
        .hasMessageContaining("evidence -1 is outside");
    assertThatThrownBy(() -> new QuarantineNotice("", reason, Duration.ofSeconds(1), 0))
        .hasMessageContaining("accused '' is not a node id");
    assertThatThrownBy(() -> new QuarantineNotice(null, reason, Duration.ofSeconds(1), 0))
        .hasMessageContaining("accused 'null' is not a node id");
  }

  @Test
  void reason_codesAndLabels() {
    assertThat(QuarantineNotice.Reason.fromCode(1))
        .contains(QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES);
    assertThat(QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES.label())
        .isEqualTo("relayed-bad-signatures");
    assertThat(QuarantineNotice.Reason.fromCode(2))
        .contains(QuarantineNotice.Reason.MALFORMED_FRAMES);
    assertThat(QuarantineNotice.Reason.MALFORMED_FRAMES.label()).isEqualTo("malformed-frames");
    assertThat(QuarantineNotice.Reason.fromCode(3)).isEmpty();
    QuarantineNotice malformed = new QuarantineNotice("n7",
        QuarantineNotice.Reason.MALFORMED_FRAMES, Duration.ofSeconds(60), 3);
    assertThat(QuarantineNotice.decode(malformed.encode())).isEqualTo(malformed);
  }

  private static byte[] with(int index, int value) {
    byte[] wire = NOTICE.encode();
    wire[index] = (byte) value;
    return wire;
  }

  private static void assertError(byte[] wire, String message) {
    assertThatThrownBy(() -> QuarantineNotice.decode(wire))
        .isInstanceOf(QuarantineNoticeException.class).hasMessageContaining(message);
  }
}
