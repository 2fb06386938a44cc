package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.pqc.ReplayGuard.Result;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {

  private static final SpiffeId A = SpiffeId.forNode("mesh.test", "a");
  private static final SpiffeId B = SpiffeId.forNode("mesh.test", "b");

  @Test
  void accept_increasingSequences_allAccepted() {
    ReplayGuard guard = new ReplayGuard(64, 10);

    for (long seq = 1; seq <= 200; seq++) {
      assertThat(guard.accept(A, seq)).isEqualTo(Result.ACCEPTED);
    }
  }

  @Test
  void accept_duplicateOfHighest_duplicate() {
    ReplayGuard guard = new ReplayGuard(64, 10);
    guard.accept(A, 10);

    assertThat(guard.accept(A, 10)).isEqualTo(Result.DUPLICATE);
  }

  @Test
  void accept_outOfOrderWithinWindow_acceptedExactlyOnce() {
    ReplayGuard guard = new ReplayGuard(64, 10);
    guard.accept(A, 100);

    assertThat(guard.accept(A, 40)).isEqualTo(Result.ACCEPTED); // offset 60 < 64
    assertThat(guard.accept(A, 40)).isEqualTo(Result.DUPLICATE);
    assertThat(guard.accept(A, 37)).isEqualTo(Result.ACCEPTED); // offset 63: oldest slot
    assertThat(guard.accept(A, 36)).isEqualTo(Result.TOO_OLD); // offset 64
  }

  @Test
  void accept_windowSlidesAcrossWordBoundary_keepsSeenBits() {
    ReplayGuard guard = new ReplayGuard(128, 10);
    guard.accept(A, 1000);
    guard.accept(A, 990);

    guard.accept(A, 1070); // advance 70: 990 moves from offset 10 to offset 80 (second word)

    assertThat(guard.accept(A, 990)).isEqualTo(Result.DUPLICATE);
    assertThat(guard.accept(A, 1000)).isEqualTo(Result.DUPLICATE);
    assertThat(guard.accept(A, 991)).isEqualTo(Result.ACCEPTED);
    assertThat(guard.accept(A, 942)).isEqualTo(Result.TOO_OLD); // offset 128
  }

  @Test
  void accept_jumpBeyondWindow_clearsHistory() {
    ReplayGuard guard = new ReplayGuard(64, 10);
    guard.accept(A, 5);

    assertThat(guard.accept(A, 5 + 1000)).isEqualTo(Result.ACCEPTED);
    assertThat(guard.accept(A, 5)).isEqualTo(Result.TOO_OLD);
    assertThat(guard.accept(A, 1004)).isEqualTo(Result.ACCEPTED);
  }

  @Test
  void accept_unsignedOrdering_maxSequenceIsNewest() {
    ReplayGuard guard = new ReplayGuard(64, 10);
    guard.accept(A, Long.MAX_VALUE);

    assertThat(guard.accept(A, -1L)).isEqualTo(Result.ACCEPTED); // 2^64 - 1 > 2^63 - 1
    assertThat(guard.accept(A, Long.MAX_VALUE)).isEqualTo(Result.TOO_OLD);
    assertThat(guard.accept(A, -2L)).isEqualTo(Result.ACCEPTED);
    assertThat(guard.accept(A, 0)).isEqualTo(Result.TOO_OLD);
  }

  @Test
  void accept_originsAreIndependent() {
    ReplayGuard guard = new ReplayGuard(64, 10);
    guard.accept(A, 7);

    assertThat(guard.accept(B, 7)).isEqualTo(Result.ACCEPTED);
    assertThat(guard.accept(A, 7)).isEqualTo(Result.DUPLICATE);
  }

  @Test
  void accept_moreOriginsThanBound_evictsLeastRecentlyUsed() {
    ReplayGuard guard = new ReplayGuard(64, 3);
    SpiffeId c = SpiffeId.forNode("mesh.test", "c");
    SpiffeId d = SpiffeId.forNode("mesh.test", "d");
    guard.accept(A, 1);
    guard.accept(B, 1);
    guard.accept(c, 1);
    guard.accept(A, 2); // A becomes most recently used; B is now the eldest

    guard.accept(d, 1);

    assertThat(guard.trackedOrigins()).isEqualTo(3);
    assertThat(guard.evictions()).isEqualTo(1);
    assertThat(guard.accept(A, 2)).as("A kept").isEqualTo(Result.DUPLICATE);
    // The documented consequence: B's history is gone, so its old sequence is accepted once.
    assertThat(guard.accept(B, 1)).as("B was evicted").isEqualTo(Result.ACCEPTED);
    assertThat(guard.trackedOrigins()).isEqualTo(3);
  }

  @Test
  void accept_manyOrigins_trackedCountNeverExceedsBound() {
    ReplayGuard guard = new ReplayGuard(64, 50);

    for (int i = 0; i < 1000; i++) {
      guard.accept(SpiffeId.forNode("mesh.test", "n" + i), 1);
      assertThat(guard.trackedOrigins()).isLessThanOrEqualTo(50);
    }
    assertThat(guard.evictions()).isEqualTo(950);
  }

  @Test
  void accept_randomSequences_matchReferenceModel() {
    long seed = new Random().nextLong();
    System.out.println("ReplayGuardTest reference-model seed = " + seed);
    Random random = new Random(seed);
    for (int window : new int[] {64, 128, 320}) {
      ReplayGuard guard = new ReplayGuard(window, 4);
      Map<SpiffeId, Reference> model = new HashMap<>();
      SpiffeId[] origins = {A, B};
      long frontier = 1_000;
      for (int step = 0; step < 20_000; step++) {
        SpiffeId origin = origins[random.nextInt(origins.length)];
        frontier += random.nextInt(4) == 0 ? random.nextInt(3 * window) : 0;
        long sequence = frontier - random.nextInt(2 * window) + random.nextInt(window / 4);
        Result expected = model.computeIfAbsent(origin, o -> new Reference(window)).accept(sequence);
        assertThat(guard.accept(origin, sequence))
            .as("seed %d window %d step %d origin %s sequence %d", seed, window, step, origin, sequence)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void constructor_badWindow_refusedNamingValue() {
    assertThatThrownBy(() -> new ReplayGuard(100, 10))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("replay window size 100");
    assertThatThrownBy(() -> new ReplayGuard(64, 0))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("maxOrigins 0");
  }

  /** Obviously correct model: the set of every accepted sequence (signed longs suffice here). */
  private static final class Reference {
    private final int window;
    private final Set<Long> accepted = new HashSet<>();
    private Long highest;

    Reference(int window) {
      this.window = window;
    }

    Result accept(long sequence) {
      if (highest == null || sequence > highest) {
        highest = sequence;
        accepted.add(sequence);
        return Result.ACCEPTED;
      }
      if (highest - sequence >= window) {
        return Result.TOO_OLD;
      }
      return accepted.add(sequence) ? Result.ACCEPTED : Result.DUPLICATE;
    }
  }
}
