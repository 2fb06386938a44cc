package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class KvStateTest {
  private static final UUID CLIENT = new UUID(7, 7);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Request req(long seq, long first, KvOp... ops) {
    return new Request(CLIENT, seq, first, List.of(ops));
  }

  @Test
  void apply_putCasDelete_versionsFollowTheRevision() {
    KvState s = new KvState();
    assertThat(s.apply(req(1, 1, new KvOp.Put("a", b("1"))), 1))
        .containsExactly(new OpResult(OpResult.Code.OK, 1));
    assertThat(s.apply(req(2, 2, new KvOp.CompareAndSet("a", 5, b("x")),
        new KvOp.CompareAndSet("a", 1, b("2")), new KvOp.CompareAndSet("b", 0, b("new"))), 2))
        .containsExactly(new OpResult(OpResult.Code.CONFLICT, 1),
            new OpResult(OpResult.Code.OK, 2), new OpResult(OpResult.Code.OK, 3));
    assertThat(s.apply(req(3, 3, new KvOp.Delete("a", 1), new KvOp.Delete("a", 2),
        new KvOp.Delete("a", 0)), 3))
        .containsExactly(new OpResult(OpResult.Code.CONFLICT, 2),
            new OpResult(OpResult.Code.OK, 2), new OpResult(OpResult.Code.NOT_FOUND, 0));
    // Re-created keys never reuse a version: CAS against the old version cannot succeed.
    assertThat(s.apply(req(4, 4, new KvOp.Put("a", b("again"))), 4))
        .containsExactly(new OpResult(OpResult.Code.OK, 5));
    assertThat(s.query(new Query.Get("a")))
        .isEqualTo(new QueryResult.Value(Optional.of(new Versioned(5, b("again")))));
    assertThat(s.valueBytes()).isEqualTo(b("again").length + b("new").length);
  }

  @Test
  void apply_retriedRequest_returnsCachedResultsAndChangesNothing() {
    KvState s = new KvState();
    List<OpResult> first = s.apply(req(1, 1, new KvOp.Put("k", b("v"))), 1);
    byte[] digest = s.digest();
    assertThat(s.apply(req(1, 1, new KvOp.Put("k", b("v"))), 2)).isEqualTo(first);
    assertThat(s.revision()).isEqualTo(1);
    // Another client with the same sequence number is a different request.
    assertThat(s.apply(new Request(new UUID(8, 8), 1, 1, List.of(new KvOp.Put("k", b("w")))), 3))
        .containsExactly(new OpResult(OpResult.Code.OK, 2));
    assertThat(digest).isNotEqualTo(s.digest());
  }

  @Test
  void apply_requestBelowFirstOutstanding_isStaleAndNotApplied() {
    KvState s = new KvState();
    s.apply(req(5, 5, new KvOp.Put("k", b("v"))), 1);
    s.apply(req(6, 6, new KvOp.Put("k", b("w"))), 2);
    // seq 5 was pruned by firstOutstanding 6: a late retry must not apply again.
    assertThat(s.apply(req(5, 5, new KvOp.Put("k", b("v"))), 3))
        .containsExactly(new OpResult(OpResult.Code.STALE_REQUEST, 0));
    // seq 4 was never seen but is below the window: refused, not applied.
    assertThat(s.apply(req(4, 4, new KvOp.Delete("k", 0)), 4))
        .containsExactly(new OpResult(OpResult.Code.STALE_REQUEST, 0));
    assertThat(s.query(new Query.Get("k"))).isEqualTo(
        new QueryResult.Value(Optional.of(new Versioned(2, b("w")))));
  }

  @Test
  void sessions_areBoundedInCountAndResults() {
    KvState s = new KvState();
    for (int i = 0; i < KvState.MAX_SESSIONS + 10; i++) {
      s.apply(new Request(new UUID(0, i), 1, 1, List.of(new KvOp.Put("k", b("v")))), i + 1);
    }
    assertThat(s.sessionCount()).isEqualTo(KvState.MAX_SESSIONS);
    for (int seq = 1; seq <= KvState.MAX_RESULTS_PER_SESSION + 5; seq++) {
      s.apply(req(seq, 1, new KvOp.Put("p", b("v"))), 100_000 + seq);
    }
    assertThat(s.apply(req(1, 1, new KvOp.Put("p", b("x"))), 200_000))
        .containsExactly(new OpResult(OpResult.Code.STALE_REQUEST, 0));
  }

  @Test
  void snapshotBody_roundTrips_andEqualStatesHaveEqualDigests() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("KvStateTest seed " + seed);
    Random rnd = new Random(seed);
    KvState s = new KvState();
    for (int i = 1; i <= 2000; i++) {
      String key = "k" + rnd.nextInt(300);
      KvOp op = switch (rnd.nextInt(4)) {
        case 0 -> new KvOp.Delete(key, 0);
        case 1 -> new KvOp.CompareAndSet(key, rnd.nextInt(5), b("c" + i));
        default -> new KvOp.Put(key, b("v" + i));
      };
      s.apply(new Request(new UUID(0, rnd.nextInt(20)), i, Math.max(1, i - 3), List.of(op)), i);
    }
    s.apply(req(1, 1, new KvOp.PutMember(new Member("n1", "spiffe://m/node/n1",
        List.of("127.0.0.1:7600"), Set.of("voter"))), new KvOp.PutSetting("a", "b")), 3000);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    s.writeTo(new DataOutputStream(bytes));
    KvState back = KvState.readFrom(new DataInputStream(
        new ByteArrayInputStream(bytes.toByteArray())));
    assertThat(back.digest()).as("seed %d", seed).isEqualTo(s.digest());
    assertThat(back.size()).isEqualTo(s.size());
    assertThat(back.revision()).isEqualTo(s.revision());
    assertThat(back.valueBytes()).isEqualTo(s.valueBytes());
    assertThat(back.query(new Query.Members())).isEqualTo(s.query(new Query.Members()));
    // Dedup memory survives the snapshot.
    assertThat(back.apply(req(1, 1, new KvOp.Put("zzz", b("x"))), 4000))
        .isEqualTo(s.apply(req(1, 1, new KvOp.Put("zzz", b("x"))), 4000));
  }
}
