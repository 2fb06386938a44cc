package dev.x0tta6bl4.node.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DeliveryCodecTest {
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private final DeliveryCodec codec = new DeliveryCodec(1024);

  // ---- generators

  private static Arbitrary<String> nodeIds() {
    Arbitrary<String> alnum = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
        .ofMinLength(1).ofMaxLength(30);
    return Combinators.combine(alnum, Arbitraries.of("", ".", "-", "_"), alnum)
        .as((x, sep, y) -> sep.isEmpty() ? x : x + sep + y);
  }

  private static Arbitrary<String> topics() {
    // "*" is the subscribe-to-all wildcard, never a message topic.
    return Arbitraries.strings().withCharRange('!', '~').ofMaxLength(64)
        .filter(t -> !t.equals("*"));
  }

  private static Arbitrary<String> traceparents() {
    return Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.strings().withCharRange('!', '~').ofMinLength(55).ofMaxLength(128));
  }

  private static Arbitrary<byte[]> payloads() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(1024);
  }

  private static Arbitrary<Long> positives() {
    return Arbitraries.longs().between(1, Long.MAX_VALUE);
  }

  @Provide
  Arbitrary<DataMessage> dataMessages() {
    Arbitrary<MessageId> ids = Combinators.combine(nodeIds(), nodeIds(), positives(), positives())
        .as(MessageId::new);
    return Combinators.combine(ids, Arbitraries.integers().between(1, 255), topics(),
        traceparents(), payloads()).as(DataMessage::new);
  }

  @Provide
  Arbitrary<BroadcastMessage> broadcasts() {
    Arbitrary<BroadcastId> ids = Combinators.combine(nodeIds(), positives(), positives())
        .as(BroadcastId::new);
    return Combinators.combine(ids, Arbitraries.integers().between(1, 255), topics(),
        traceparents(), payloads()).as(BroadcastMessage::new);
  }

  @Provide
  Arbitrary<DataAck> acks() {
    Arbitrary<long[]> range = Combinators.combine(Arbitraries.longs().between(1, 1L << 62),
        Arbitraries.longs().between(0, DataAck.MAX_RANGE_LENGTH - 1))
        .as((first, extra) -> new long[] {first, first + extra});
    Arbitrary<long[]> ranges = range.list().ofMinSize(1).ofMaxSize(DataAck.MAX_RANGES).map(l -> {
      long[] out = new long[2 * l.size()];
      for (int i = 0; i < l.size(); i++) {
        out[2 * i] = l.get(i)[0];
        out[2 * i + 1] = l.get(i)[1];
      }
      return out;
    });
    return Combinators.combine(nodeIds(), nodeIds(), positives(),
        Arbitraries.integers().between(1, 255), ranges).as(DataAck::new);
  }

  // ---- round trips

  @Property(tries = 300)
  void dataMessage_anyValid_roundTrips(@ForAll("dataMessages") DataMessage m) {
    byte[] body = codec.encode(m);
    assertThat(body).hasSize(codec.encodedSize(m));
    assertThat(codec.decodeData(body)).isEqualTo(m);
  }

  @Property(tries = 300)
  void broadcast_anyValid_roundTrips(@ForAll("broadcasts") BroadcastMessage m) {
    assertThat(codec.decodeBroadcast(codec.encode(m))).isEqualTo(m);
  }

  @Property(tries = 300)
  void ack_anyValid_roundTrips(@ForAll("acks") DataAck a) {
    byte[] body = codec.encode(a);
    assertThat(body).hasSize(codec.encodedSize(a));
    assertThat(codec.decodeAck(body)).isEqualTo(a);
  }

  // ---- hostile input

  @Property(tries = 2_000)
  void decode_arbitraryBytes_throwsOnlyCodecException(
      @ForAll @Size(max = 600) byte[] bytes) {
    decodeAllOrCodecException(bytes);
  }

  /** Valid bodies with bytes changed or cut: more of the decoder is reached than by noise. */
  @Property(tries = 2_000)
  void decode_mutatedValidBody_throwsOnlyCodecException(
      @ForAll("dataMessages") DataMessage m, @ForAll("acks") DataAck a,
      @ForAll("broadcasts") BroadcastMessage b, @ForAll @IntRange(min = 0, max = 2) int which,
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 5_000) Integer> positions,
      @ForAll byte value, @ForAll boolean truncate) {
    byte[] body = which == 0 ? codec.encode(m) : which == 1 ? codec.encode(a) : codec.encode(b);
    for (int p : positions) {
      body[p % body.length] ^= (byte) (value == 0 ? 1 : value);
    }
    if (truncate) {
      body = java.util.Arrays.copyOf(body, positions.get(0) % body.length);
    }
    decodeAllOrCodecException(body);
  }

  private void decodeAllOrCodecException(byte[] bytes) {
    for (int kind = 0; kind < 3; kind++) {
      try {
        switch (kind) {
          case 0 -> codec.decodeData(bytes);
          case 1 -> codec.decodeAck(bytes);
          default -> codec.decodeBroadcast(bytes);
        }
      } catch (DeliveryCodecException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
    }
  }

  @Test
  void decodeData_hugePayloadLength_rejectedBeforeAllocating() {
    DataMessage m = new DataMessage(new MessageId("a", "b", 1, 1), 3, "t", null, new byte[0]);
    byte[] body = codec.encode(m);
    ByteBuffer.wrap(body).putInt(body.length - 4, Integer.MAX_VALUE);
    assertThatThrownBy(() -> codec.decodeData(body)).isInstanceOf(DeliveryCodecException.class)
        .hasMessage("data message: payload length 2147483647 is over its cap; allowed: 0..1024");
  }

  @Test
  void decodeData_otherVersion_rejectedNamingIt() {
    DataMessage m = new DataMessage(new MessageId("a", "b", 1, 1), 3, "t", TRACEPARENT,
        new byte[2]);
    byte[] body = codec.encode(m);
    body[0] = 2;
    assertThatThrownBy(() -> codec.decodeData(body))
        .hasMessage("data message: version 2 is not supported; expected 1");
  }

  @Test
  void decodeData_trailingByte_rejected() {
    DataMessage m = new DataMessage(new MessageId("a", "b", 1, 1), 3, "t", TRACEPARENT,
        new byte[2]);
    byte[] body = java.util.Arrays.copyOf(codec.encode(m), codec.encodedSize(m) + 1);
    assertThatThrownBy(() -> codec.decodeData(body))
        .hasMessage("data message: 1 trailing bytes; expected none");
  }

  @Test
  void decodeData_upperCaseNodeId_rejectedAsCodecError() {
    DataMessage m = new DataMessage(new MessageId("a", "b", 1, 1), 3, "t", null, new byte[0]);
    byte[] body = codec.encode(m);
    body[3] = 'A';
    assertThatThrownBy(() -> codec.decodeData(body)).isInstanceOf(DeliveryCodecException.class)
        .hasMessageContaining("source 'A' is not a node id");
  }

  @Test
  void decodeData_wildcardTopicFromAPeer_rejected() {
    // "*" subscribes to every topic; a message carrying it would reach such subscribers twice.
    DataMessage m = new DataMessage(new MessageId("a", "b", 1, 1), 3, "x", null, new byte[0]);
    byte[] body = codec.encode(m);
    int at = new String(body, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf('x');
    body[at] = '*';
    assertThatThrownBy(() -> codec.decodeData(body)).isInstanceOf(DeliveryCodecException.class)
        .hasMessageContaining("topic '*' is invalid");
  }

  @Test
  void decodeAck_rangeCountOverCap_rejectedBeforeAllocating() {
    byte[] body = codec.encode(DataAck.of("a", "b", 1, 3, 5));
    ByteBuffer.wrap(body).putShort(2 + 2 + 2 + 8 + 1, (short) 0xffff);
    assertThatThrownBy(() -> codec.decodeAck(body))
        .hasMessage("ack: range count 65535 is out of range; allowed: 1..256");
  }

  @Test
  void encode_payloadOverCodecCap_throws() {
    DataMessage m = new DataMessage(new MessageId("a", "b", 1, 1), 3, "t", null, new byte[1025]);
    assertThatThrownBy(() -> codec.encode(m)).isInstanceOf(DeliveryException.class)
        .hasMessage("payload of 1025 bytes is too large; allowed: 0..1024");
  }

  @Test
  void encodedSize_256BytePayload_isFixedOverheadPlusStrings() {
    DataMessage m = new DataMessage(new MessageId("node-a", "node-e", 1, 1), 32, "chat", null,
        new byte[256]);
    assertThat(codec.encodedSize(m)).isEqualTo(27 + 6 + 6 + 4 + 256);
  }

  @Test
  void encode_arrayHeapAndDirectBuffers_writeTheSameBytesThatDecodeBack() {
    DataMessage m = new DataMessage(new MessageId("node-a", "node-e", 7, 42), 32, "chat",
        TRACEPARENT, new byte[] {1, 2, 3});
    byte[] array = codec.encode(m);
    ByteBuffer heap = ByteBuffer.allocate(array.length + 3).position(3);
    ByteBuffer direct = ByteBuffer.allocateDirect(array.length);

    codec.encode(m, heap);
    codec.encode(m, direct);

    assertThat(heap.position()).isEqualTo(array.length + 3);
    assertThat(java.util.Arrays.copyOfRange(heap.array(), 3, heap.array().length)).isEqualTo(array);
    byte[] fromDirect = new byte[array.length];
    direct.flip().get(fromDirect);
    assertThat(fromDirect).isEqualTo(array);
    assertThat(codec.decodeData(array)).isEqualTo(m);
    assertThat(codec.decodeData(ByteBuffer.allocateDirect(array.length).put(array).flip()))
        .isEqualTo(m);
  }

  @Test
  void decodeData_sameIdsAgain_reusesTheDecodedStrings() {
    byte[] first = codec.encode(new DataMessage(new MessageId("node-a", "node-e", 1, 1), 3,
        "chat", null, new byte[0]));
    byte[] second = codec.encode(new DataMessage(new MessageId("node-a", "node-e", 1, 2), 3,
        "chat", null, new byte[0]));
    byte[] other = codec.encode(new DataMessage(new MessageId("node-b", "node-e", 1, 1), 3,
        "chat", null, new byte[0]));

    DataMessage a = codec.decodeData(first);
    DataMessage b = codec.decodeData(second);
    DataMessage c = codec.decodeData(other);

    assertThat(b.source()).isSameAs(a.source());
    assertThat(b.destination()).isSameAs(a.destination());
    assertThat(b.topic()).isSameAs(a.topic());
    assertThat(c.source()).isEqualTo("node-b");
    assertThat(c.destination()).isSameAs(a.destination());
  }
}
