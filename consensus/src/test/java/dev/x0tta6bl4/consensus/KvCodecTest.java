package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.x0tta6bl4.consensus.MalformedCommandException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class KvCodecTest {

  @Provide
  Arbitrary<KvOp> ops() {
    Arbitrary<String> keys = Arbitraries.strings().ofMinLength(1).ofMaxLength(15)
        .filter(k -> k.chars().noneMatch(ch -> Character.isSurrogate((char) ch)));
    Arbitrary<byte[]> values = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    Arbitrary<Long> versions = Arbitraries.longs().between(0, Long.MAX_VALUE);
    return Arbitraries.oneOf(
        Combinators.combine(keys, values).as(KvOp.Put::new),
        Combinators.combine(keys, versions, values).as(KvOp.CompareAndSet::new),
        Combinators.combine(keys, versions).as(KvOp.Delete::new),
        Combinators.combine(keys, keys).as((a, b) -> (KvOp) new KvOp.PutMember(new Member(a,
            "spiffe://mesh/node/" + a, List.of(b), Set.of("voter", b))))
            .filter(op -> true),
        keys.map(KvOp.RemoveMember::new),
        Combinators.combine(keys, keys).as(KvOp.PutSetting::new),
        keys.map(KvOp.RemoveSetting::new));
  }

  @Property(tries = 300)
  void request_roundTrips(@ForAll @Size(max = 20) List<@From("ops") KvOp> ops, @ForAll long msb, @ForAll long lsb,
      @ForAll("seqs") long seq) {
    if (ops.isEmpty()) {
      return;
    }
    Request r = new Request(new UUID(msb, lsb), seq, Math.max(1, seq / 2), ops);
    Request back = KvCodec.decodeRequest(ByteBuffer.wrap(KvCodec.encodeRequest(r)));
    assertThat(back.clientId()).isEqualTo(r.clientId());
    assertThat(back.seq()).isEqualTo(seq);
    assertThat(back.firstOutstanding()).isEqualTo(r.firstOutstanding());
    assertThat(back.ops()).hasSameSizeAs(ops);
    for (int i = 0; i < ops.size(); i++) {
      assertSameOp(back.ops().get(i), ops.get(i));
    }
  }

  @Provide
  Arbitrary<Long> seqs() {
    return Arbitraries.longs().between(1, Long.MAX_VALUE);
  }

  private static void assertSameOp(KvOp actual, KvOp expected) {
    assertThat(actual.getClass()).isEqualTo(expected.getClass());
    if (expected instanceof KvOp.Put p) {
      assertThat(((KvOp.Put) actual).key()).isEqualTo(p.key());
      assertThat(((KvOp.Put) actual).value()).isEqualTo(p.value());
    } else if (expected instanceof KvOp.CompareAndSet c) {
      KvOp.CompareAndSet a = (KvOp.CompareAndSet) actual;
      assertThat(a.key()).isEqualTo(c.key());
      assertThat(a.expectedVersion()).isEqualTo(c.expectedVersion());
      assertThat(a.value()).isEqualTo(c.value());
    } else {
      assertThat(actual).isEqualTo(expected);
    }
  }

  @Test
  void results_queries_answers_roundTrip() {
    List<OpResult> results = List.of(new OpResult(OpResult.Code.OK, 7),
        new OpResult(OpResult.Code.CONFLICT, Long.MAX_VALUE),
        new OpResult(OpResult.Code.STALE_REQUEST, 0));
    assertThat(KvCodec.decodeResults(ByteBuffer.wrap(KvCodec.encodeResults(results))))
        .isEqualTo(results);
    for (Query q : List.of(new Query.Get("k"), new Query.Members(), new Query.Settings())) {
      assertThat(KvCodec.decodeQuery(ByteBuffer.wrap(KvCodec.encodeQuery(q)))).isEqualTo(q);
    }
    QueryResult.Value v = new QueryResult.Value(Optional.of(new Versioned(3, new byte[] {1, 2})));
    assertThat(KvCodec.decodeAnswer(ByteBuffer.wrap(KvCodec.encodeAnswer(v)))).isEqualTo(v);
    QueryResult.Members m = new QueryResult.Members(List.of(new Member("n1", "spiffe://m/node/n1",
        List.of("a:1", "b:2"), Set.of("z", "a"))));
    assertThat(KvCodec.decodeAnswer(ByteBuffer.wrap(KvCodec.encodeAnswer(m)))).isEqualTo(m);
    QueryResult.Settings s = new QueryResult.Settings(Map.of("x", "", "y", "2"));
    assertThat(KvCodec.decodeAnswer(ByteBuffer.wrap(KvCodec.encodeAnswer(s)))).isEqualTo(s);
  }

  private static byte[] sample() {
    return KvCodec.encodeRequest(new Request(new UUID(1, 2), 5, 3, List.of(
        new KvOp.Put("key", new byte[] {9, 8, 7}), new KvOp.Delete("other", 4))));
  }

  private static Reason reasonOf(byte[] bytes) {
    return catchThrowableOfType(MalformedCommandException.class,
        () -> KvCodec.decodeRequest(ByteBuffer.wrap(bytes))).reason();
  }

  @Test
  void decode_everyTruncation_isRejectedAsTruncated() {
    byte[] full = sample();
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThat(catchThrowableOfType(MalformedCommandException.class,
          () -> KvCodec.decodeRequest(ByteBuffer.wrap(cut))))
          .as("prefix of %d bytes", n).isNotNull();
    }
    assertThat(reasonOf(Arrays.copyOf(full, full.length - 1))).isEqualTo(Reason.TRUNCATED);
  }

  @Test
  void decode_hostileFields_areRejectedWithTheirReason() {
    byte[] ok = sample();
    byte[] version = ok.clone();
    version[0] = 2;
    assertThat(reasonOf(version)).isEqualTo(Reason.UNSUPPORTED_VERSION);

    byte[] trailing = Arrays.copyOf(ok, ok.length + 1);
    assertThat(reasonOf(trailing)).isEqualTo(Reason.TRAILING_BYTES);

    // header(2) + uuid(16) + seq(1) + first(1) then the op count: claim 10,000 ops in 20 bytes.
    byte[] count = new KvCodec.Writer(32).header(KvCodec.TYPE_REQUEST).u64(1).u64(2).varint(5)
        .varint(3).varint(10_000).toByteArray();
    assertThat(reasonOf(count)).isEqualTo(Reason.OUT_OF_BOUNDS);

    byte[] tooMany = new KvCodec.Writer(32).header(KvCodec.TYPE_REQUEST).u64(1).u64(2)
        .varint(5).varint(3).varint(Limits.MAX_OPS_PER_REQUEST + 1).toByteArray();
    assertThat(reasonOf(tooMany)).isEqualTo(Reason.OUT_OF_BOUNDS);

    // A value length of 2^40 must be refused before any allocation.
    byte[] hugeValue = new KvCodec.Writer(32).header(KvCodec.TYPE_REQUEST).u64(1).u64(2)
        .varint(5).varint(3).varint(1).u8(1).string("k").varint(1L << 40).toByteArray();
    assertThat(reasonOf(hugeValue)).isEqualTo(Reason.OUT_OF_BOUNDS);

    byte[] unknownOp = new KvCodec.Writer(32).header(KvCodec.TYPE_REQUEST).u64(1).u64(2)
        .varint(5).varint(3).varint(1).u8(99).u8(0).toByteArray();
    assertThat(reasonOf(unknownOp)).isEqualTo(Reason.UNKNOWN_TAG);

    byte[] badUtf8 = new KvCodec.Writer(32).header(KvCodec.TYPE_REQUEST).u64(1).u64(2)
        .varint(5).varint(3).varint(1).u8(3).bytes(new byte[] {(byte) 0xC3, 0x28}).varint(0)
        .toByteArray();
    assertThat(reasonOf(badUtf8)).isEqualTo(Reason.BAD_STRING);

    byte[] emptyKey = new KvCodec.Writer(32).header(KvCodec.TYPE_REQUEST).u64(1).u64(2)
        .varint(5).varint(3).varint(1).u8(3).string("").varint(0).toByteArray();
    assertThat(reasonOf(emptyKey)).isEqualTo(Reason.BAD_STRING);

    byte[] overlong = new KvCodec.Writer(32).header(KvCodec.TYPE_REQUEST).u64(1).u64(2)
        .u8(0x85).u8(0x00).toByteArray(); // 5 encoded in two bytes
    assertThat(reasonOf(overlong)).isEqualTo(Reason.BAD_VARINT);

    byte[] firstAfterSeq = new KvCodec.Writer(32).header(KvCodec.TYPE_REQUEST).u64(1).u64(2)
        .varint(5).varint(6).varint(1).toByteArray();
    assertThat(reasonOf(firstAfterSeq)).isEqualTo(Reason.BAD_VALUE);

    assertThatThrownBy(() -> KvCodec.decodeResults(ByteBuffer.wrap(new KvCodec.Writer(8)
        .header(KvCodec.TYPE_RESULTS).varint(1).u8(77).varint(0).toByteArray())))
        .isInstanceOf(MalformedCommandException.class)
        .extracting(e -> ((MalformedCommandException) e).reason()).isEqualTo(Reason.BAD_VALUE);
  }

  @Test
  void decode_randomBytesAndMutations_neverThrowAnythingButMalformed() {
    long seed = new Random().nextLong();
    System.out.println("KvCodecTest fuzz seed " + seed);
    Random rnd = new Random(seed);
    byte[] base = sample();
    List<byte[]> inputs = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      byte[] b;
      if (i % 2 == 0) {
        b = new byte[rnd.nextInt(64)];
        rnd.nextBytes(b);
        if (b.length > 2) {
          b[0] = 1;
          b[1] = (byte) (1 + rnd.nextInt(4));
        }
      } else {
        b = base.clone();
        for (int k = 0, n = 1 + rnd.nextInt(3); k < n; k++) {
          b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
      }
      inputs.add(b);
    }
    for (byte[] b : inputs) {
      for (int type = 0; type < 4; type++) {
        try {
          switch (type) {
            case 0 -> KvCodec.decodeRequest(ByteBuffer.wrap(b));
            case 1 -> KvCodec.decodeQuery(ByteBuffer.wrap(b));
            case 2 -> KvCodec.decodeResults(ByteBuffer.wrap(b));
            default -> KvCodec.decodeAnswer(ByteBuffer.wrap(b));
          }
        } catch (MalformedCommandException expected) {
          assertThat(expected.reason()).isNotNull();
        } catch (RuntimeException e) {
          throw new AssertionError("seed " + seed + ": " + Arrays.toString(b) + " threw " + e, e);
        }
      }
    }
  }
}
