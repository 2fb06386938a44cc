package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.x0tta6bl4.node.transport.Frame.Heartbeat;
import dev.x0tta6bl4.node.transport.FrameDecodingException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Malformed input: every case fails with its typed reason, and nothing is decoded after. */
class FrameDecoderTest {
  private static final int CAP = FrameFormat.MIN_MAX_FRAME_SIZE;
  private static final String HEARTBEAT_BODY = "0000000000000001" + "0000000000000002";

  private final TrackingAllocator alloc = new TrackingAllocator();
  private final FrameDecoder decoder = new FrameDecoder(CAP);
  private final EmbeddedChannel channel = Frames.channel(alloc, decoder);

  @BeforeAll
  static void paranoidLeakDetection() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @AfterEach
  void releaseEverything() {
    channel.finishAndReleaseAll();
    alloc.assertAllReleased();
  }

  @Test
  void decode_lengthAboveCapAlone_failsAtOnceWithoutBuffering() {
    FrameDecodingException e = feedExpectingError("ffffffff");
    assertThat(e.reason()).isEqualTo(Reason.FRAME_TOO_LARGE);
    assertThat(e).hasMessageContaining("frame length 4294967295")
        .hasMessageContaining("maximum frame size " + CAP);
    assertThat(decoder.bufferedBytes()).isZero();
    assertThat(alloc.largestRequest()).isLessThanOrEqualTo(4);
  }

  @Test
  void decode_lengthOneAboveCap_failsOnItsFourBytes() {
    assertThat(feedExpectingError(String.format("%08x", CAP + 1)).reason())
        .isEqualTo(Reason.FRAME_TOO_LARGE);
  }

  @Test
  void decode_lengthAtCap_waitsForHeaderThenFailsOnTypeBound() {
    channel.writeInbound(Frames.hex(alloc, String.format("%08x", CAP)));
    assertThat(decoder.hasFailed()).isFalse();
    FrameDecodingException e = feedExpectingError("01030000");
    assertThat(e.reason()).isEqualTo(Reason.FRAME_TOO_LARGE);
    assertThat(e).hasMessageContaining("HEARTBEAT frame: body of " + (CAP - 4) + " bytes");
  }

  @Test
  void decode_lengthBelowHeader_failsAsTruncated() {
    FrameDecodingException e = feedExpectingError("00000003");
    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_FRAME);
    assertThat(e).hasMessageContaining("frame length 3");
  }

  @Test
  void decode_unknownVersion_failsOnTheHeaderWithoutWaitingForTheBody() {
    FrameDecodingException e = feedExpectingError("00000014" + "02" + "03" + "0000");
    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_VERSION);
    assertThat(e).hasMessageContaining("protocol version 2").hasMessageContaining("expected 1");
  }

  @Test
  void decode_unknownType_failsAsUnknownFrameType() {
    FrameDecodingException e = feedExpectingError("00000014" + "01" + "7f" + "0000");
    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FRAME_TYPE);
    assertThat(e).hasMessageContaining("frame type 127 is not defined");
  }

  @Test
  void decode_opaqueDataFrame_carriesTheRestOfTheFrameAsBody() {
    Frame frame = feedExpectingFrame("00000007" + "01" + "20" + "0000" + "abcdef");
    assertThat(frame).isInstanceOf(Frame.Opaque.class);
    assertThat(((Frame.Opaque) frame).type()).isEqualTo(FrameType.DATA);
    assertThat(((Frame.Opaque) frame).body()).containsExactly(0xab, 0xcd, 0xef);
  }

  @Test
  void decode_opaqueFrameWithEmptyBody_failsAsTruncated() {
    assertThat(feedExpectingError("00000004" + "01" + "21" + "0000").reason())
        .isIn(Reason.TRUNCATED_FRAME, Reason.INVALID_FIELD);
  }

  @Test
  void decode_typeZero_failsAsUnknownFrameType() {
    assertThat(feedExpectingError("00000004" + "01" + "00" + "0000").reason())
        .isEqualTo(Reason.UNKNOWN_FRAME_TYPE);
  }

  @Test
  void decode_undefinedFlags_failsAsUnknownFlags() {
    FrameDecodingException e = feedExpectingError("00000014" + "01" + "03" + "8001");
    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FLAGS);
    assertThat(e).hasMessageContaining("flags 0x8001");
  }

  @Test
  void decode_fixedSizeBodyTooShort_failsAsTruncatedOnTheHeader() {
    FrameDecodingException e = feedExpectingError("0000000c" + "01" + "03" + "0000");
    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_FRAME);
    assertThat(e).hasMessageContaining("HEARTBEAT frame: body of 8 bytes");
  }

  @Test
  void decode_fixedSizeBodyTooLong_failsAsTooLargeOnTheHeader() {
    FrameDecodingException e = feedExpectingError("0000001d" + "01" + "04" + "0000");
    assertThat(e.reason()).isEqualTo(Reason.FRAME_TOO_LARGE);
    assertThat(e).hasMessageContaining("HEARTBEAT_ACK frame: body of 25 bytes");
  }

  @Test
  void decode_stringLongerThanTheRestOfTheFrame_failsAsTruncated() {
    // PROBE_REQUEST: probe id, then a string claiming 10 bytes with only 5 left in the frame.
    FrameDecodingException e =
        feedExpectingError("00000013" + "01050000" + "0000000000000007" + "000a" + "6161616161");
    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_FRAME);
    assertThat(e).hasMessageContaining("PROBE_REQUEST frame: targetNodeId needs 10 bytes but 5");
  }

  @Test
  void decode_bytesAfterTheLastField_failAsTrailingBytes() {
    FrameDecodingException e =
        feedExpectingError("00000011" + "01050000" + "0000000000000007" + "0001" + "61" + "beef");
    assertThat(e.reason()).isEqualTo(Reason.TRAILING_BYTES);
    assertThat(e).hasMessageContaining("PROBE_REQUEST frame: 2 bytes trail the last field");
  }

  @Test
  void decode_stringAboveItsCap_failsAsFieldTooLongBeforeReadingIt() {
    FrameDecodingException e =
        feedExpectingError("00000018" + "01050000" + "0000000000000007" + "0040" + "6161616161"
            + "6161616161");
    assertThat(e.reason()).isEqualTo(Reason.FIELD_TOO_LONG);
    assertThat(e).hasMessageContaining("targetNodeId is 64 bytes; at most 63");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "lone continuation byte, 80",
    "truncated two-byte sequence, c3",
    "bad continuation, c328",
    "overlong slash, c0af",
    "overlong three-byte, e08080",
    "UTF-16 surrogate, eda080",
    "above U+10FFFF, f4908080",
    "invalid byte ff, ff",
  })
  void decode_malformedUtf8InGoodbyeDetail_failsAsInvalidUtf8(String what, String utf8) {
    int detailLength = utf8.length() / 2;
    String body = "0000" + String.format("%04x", detailLength) + utf8;
    String frame = String.format("%08x", 4 + body.length() / 2) + "01020000" + body;
    FrameDecodingException e = feedExpectingError(frame);
    assertThat(e.reason()).as(what).isEqualTo(Reason.INVALID_UTF8);
    assertThat(e).hasMessageContaining("GOODBYE frame: detail is not well-formed UTF-8")
        .hasMessageContaining("0x" + utf8);
  }

  @Test
  void decode_undefinedGoodbyeReason_failsAsInvalidEnumValue() {
    FrameDecodingException e = feedExpectingError("00000008" + "01020000" + "7777" + "0000");
    assertThat(e.reason()).isEqualTo(Reason.INVALID_ENUM_VALUE);
    assertThat(e).hasMessageContaining("reason code 30583 is not defined");
  }

  @Test
  void decode_undefinedProbeOutcome_failsAsInvalidEnumValue() {
    FrameDecodingException e =
        feedExpectingError("00000010" + "01060000" + "0000000000000001" + "09" + "0001" + "62");
    assertThat(e.reason()).isEqualTo(Reason.INVALID_ENUM_VALUE);
    assertThat(e).hasMessageContaining("PROBE_RESULT frame: outcome 9 is not defined");
  }

  @Test
  void decode_invalidNodeId_failsAsInvalidField() {
    FrameDecodingException e =
        feedExpectingError("00000010" + "01050000" + "0000000000000001" + "0002" + "4121");
    assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD);
    assertThat(e).hasMessageContaining("PROBE_REQUEST targetNodeId 'A!' is not a node id");
  }

  @Test
  void decode_helloWithEmptyVersionRange_failsAsInvalidField() {
    String body = "03" + "02" + "0000000000000000" + "0000000000000000" + "000161"
        + "0011" + "7370696666653a2f2f742f6e6f64652f61" + "0003" + "683a31";
    String frame = String.format("%08x", 4 + body.length() / 2) + "01010000" + body;
    FrameDecodingException e = feedExpectingError(frame);
    assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD);
    assertThat(e).hasMessageContaining("HELLO version range 3..2 is empty");
  }

  @Test
  void decode_validFrameThenGarbageInOneRead_deliversTheFrameThenFails() {
    String valid = "00000014" + "01030000" + HEARTBEAT_BODY;
    FrameDecodingException e = feedExpectingError(valid + "00000014" + "09030000");
    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_VERSION);
    assertThat(Frames.readAllInbound(channel)).containsExactly(new Heartbeat(1, 2));
  }

  @Test
  void decode_afterAnError_discardsEverythingThatFollows() {
    String valid = "00000014" + "01030000" + HEARTBEAT_BODY;
    feedExpectingError("00000014" + "09030000" + valid);
    assertThat(Frames.readAllInbound(channel)).isEmpty();

    channel.writeInbound(Frames.hex(alloc, valid + valid));
    assertThat(Frames.readAllInbound(channel)).isEmpty();
    assertThat(decoder.hasFailed()).isTrue();
    assertThat(decoder.bufferedBytes()).isZero();
  }

  @Test
  void reasons_eachDecodingReason_mapsToItsOwnGoodbyeReason() {
    List<GoodbyeReason> mapped =
        Arrays.stream(Reason.values()).map(Reason::goodbyeReason).toList();
    assertThat(mapped).doesNotHaveDuplicates().doesNotContainNull();
  }

  private Frame feedExpectingFrame(String hex) {
    assertThat(channel.writeInbound(Frames.hex(alloc, hex))).isTrue();
    return channel.readInbound();
  }

  private FrameDecodingException feedExpectingError(String hex) {
    ByteBuf input = Frames.hex(alloc, hex);
    Throwable thrown = catchThrowable(
        () -> channel.writeInbound(input));
    assertThat(thrown).as("decoding %s", hex).isInstanceOf(FrameDecodingException.class);
    assertThat(decoder.hasFailed()).isTrue();
    assertThat(decoder.bufferedBytes()).as("bytes kept after the error").isZero();
    channel.checkException();
    return (FrameDecodingException) thrown;
  }
}
