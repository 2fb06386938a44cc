package dev.x0tta6bl4.node.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
  private static final long MS = 1_000_000L;

  @Test
  void expire_deadlineBetweenTicks_firesAtTheNextTick() {
    TimerWheel w = new TimerWheel(4, MS, 16);
    w.schedule(0, 10 * MS + 300, 0);
    int[] out = new int[4];
    assertThat(w.expire(10 * MS, out)).isZero();
    assertThat(w.expire(11 * MS, out)).isEqualTo(1);
    assertThat(out[0]).isZero();
    assertThat(w.size()).isZero();
  }

  @Test
  void expire_deadlineBeyondOneTurn_waitsForItsTurn() {
    TimerWheel w = new TimerWheel(4, MS, 16);
    w.schedule(1, 40 * MS, 0);
    int[] out = new int[4];
    for (long t = 0; t < 40 * MS; t += MS) {
      assertThat(w.expire(t, out)).isZero();
    }
    assertThat(w.expire(40 * MS, out)).isEqualTo(1);
  }

  @Test
  void cancel_scheduled_neverFires() {
    TimerWheel w = new TimerWheel(4, MS, 16);
    w.schedule(2, 5 * MS, 0);
    w.schedule(3, 5 * MS, 0);
    w.cancel(2);
    w.cancel(2);
    int[] out = new int[4];
    assertThat(w.expire(100 * MS, out)).isEqualTo(1);
    assertThat(out[0]).isEqualTo(3);
  }

  /** Against a reference: each id fires exactly once, at the first expire at or after it. */
  @Property(tries = 200)
  void expire_randomDeadlinesAndSteps_firesEachOnceNoEarlierAndAtMostOneTickLate(
      @ForAll @Size(min = 1, max = 50) List<@LongRange(min = 0, max = 5_000_000_000L) Long> due,
      @ForAll @IntRange(min = 1, max = 700) int stepMs) {
    TimerWheel w = new TimerWheel(due.size(), MS, 64);
    for (int i = 0; i < due.size(); i++) {
      w.schedule(i, due.get(i), 0);
    }
    int[] out = new int[due.size()];
    Map<Integer, Long> firedAt = new TreeMap<>();
    List<Long> times = new ArrayList<>();
    for (long t = 0; t <= 6_000 * MS; t += stepMs * MS) {
      times.add(t);
      int n = w.expire(t, out);
      for (int k = 0; k < n; k++) {
        assertThat(firedAt.put(out[k], t)).isNull();
      }
    }
    assertThat(firedAt).hasSize(due.size());
    for (int i = 0; i < due.size(); i++) {
      long d = due.get(i);
      long fired = firedAt.get(i);
      assertThat(fired).isGreaterThanOrEqualTo(d);
      long firstCallAfter = times.stream().filter(t -> t >= d + MS).findFirst().orElseThrow();
      assertThat(fired).isLessThanOrEqualTo(firstCallAfter);
    }
  }
}
