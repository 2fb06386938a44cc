package dev.x0tta6bl4.node.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class InFlightTableTest {
  /** Random adds and removes (head, middle, tail) over three streams, checked against a map. */
  @Property(tries = 300)
  void addFindRemove_randomOperations_matchReferenceMap(
      @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 99) Integer> ops) {
    InFlightTable t = new InFlightTable(16);
    OutboundStream[] streams = {
      new OutboundStream("a", 1), new OutboundStream("b", 1), new OutboundStream("c", 1)
    };
    Map<String, Integer> reference = new HashMap<>();
    for (int op : ops) {
      OutboundStream s = streams[op % 3];
      if (op < 60 && !t.isFull()) {
        long q = s.nextSeq++;
        DataMessage m = new DataMessage(new MessageId("x", s.destination, 1, q), 1, "", null,
            new byte[0]);
        reference.put(s.destination + q, t.add(s, m, 0));
      } else if (s.head != InFlightTable.NONE) {
        int slot = s.head;
        for (int k = op % s.inFlight; k > 0; k--) {
          slot = t.after(slot);
        }
        reference.remove(s.destination + t.seq[slot]);
        t.remove(slot);
      }
      assertThat(t.size()).isEqualTo(reference.size());
      for (OutboundStream st : streams) {
        long expectedLow = st.nextSeq;
        for (long q = 1; q < st.nextSeq; q++) {
          Integer slot = reference.get(st.destination + q);
          assertThat(t.find(st, q)).isEqualTo(slot == null ? InFlightTable.NONE : slot);
          if (slot != null) {
            expectedLow = Math.min(expectedLow, q);
          }
        }
        assertThat(t.lowestUnresolved(st)).isEqualTo(expectedLow);
      }
    }
  }
}
