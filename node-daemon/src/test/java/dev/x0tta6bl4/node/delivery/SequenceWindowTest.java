package dev.x0tta6bl4.node.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SequenceWindowTest {
  @Test
  void accept_inOrderThenRepeat_newThenDuplicate() {
    SequenceWindow w = new SequenceWindow(64);
    w.reset(1);
    for (long s = 1; s <= 200; s++) {
      assertThat(w.accept(s)).isEqualTo(SequenceWindow.NEW);
    }
    assertThat(w.accept(200)).isEqualTo(SequenceWindow.DUPLICATE);
    assertThat(w.accept(137)).isEqualTo(SequenceWindow.DUPLICATE);
    assertThat(w.accept(136)).isEqualTo(SequenceWindow.TOO_OLD);
  }

  @Test
  void accept_bigJump_forgetsEverythingBehindTheWindow() {
    SequenceWindow w = new SequenceWindow(64);
    w.reset(1);
    w.accept(5);
    assertThat(w.accept(1_000_000)).isEqualTo(SequenceWindow.NEW);
    assertThat(w.accept(999_990)).isEqualTo(SequenceWindow.NEW);
    assertThat(w.accept(5)).isEqualTo(SequenceWindow.TOO_OLD);
  }

  /** Checked against a set of everything seen: inside the window the verdicts agree. */
  @Property(tries = 300)
  void accept_anyOrder_agreesWithReferenceInsideTheWindow(
      @ForAll @Size(max = 400) List<@LongRange(min = 1, max = 300) Long> seqs) {
    SequenceWindow w = new SequenceWindow(64);
    w.reset(1);
    Set<Long> seen = new HashSet<>();
    long highest = 0;
    for (long s : seqs) {
      int verdict = w.accept(s);
      if (highest > 0 && highest - s >= 64) {
        assertThat(verdict).isEqualTo(SequenceWindow.TOO_OLD);
      } else {
        assertThat(verdict).isEqualTo(seen.contains(s) ? SequenceWindow.DUPLICATE
            : SequenceWindow.NEW);
        seen.add(s);
        highest = Math.max(highest, s);
      }
    }
  }
}
