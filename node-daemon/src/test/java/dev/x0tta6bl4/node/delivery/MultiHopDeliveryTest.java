package dev.x0tta6bl4.node.delivery;

import static dev.x0tta6bl4.node.delivery.DeliveryTestNetwork.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.delivery.DeliveryTestNetwork.LinkSpec;
import dev.x0tta6bl4.node.delivery.DeliveryTestNetwork.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MultiHopDeliveryTest {
  private static final String[] LINE = {"a", "b", "c", "d", "e"};

  private static DeliveryTestNetwork line(long seed, DeliverySettings settings, LinkSpec spec) {
    DeliveryTestNetwork net = new DeliveryTestNetwork(seed, settings);
    for (String id : LINE) {
      net.add(id);
    }
    for (int i = 0; i + 1 < LINE.length; i++) {
      net.connect(LINE[i], LINE[i + 1], spec);
    }
    net.computeRoutes();
    return net;
  }

  private static byte[] payload(int i) {
    byte[] p = new byte[256];
    p[0] = (byte) i;
    p[1] = (byte) (i >> 8);
    return p;
  }

  @Test
  void send_lineOfFive_deliversOverFourHopsExactlyOnce() {
    DeliveryTestNetwork net = line(1, DeliverySettings.defaults(), LinkSpec.ideal(MS));
    Node a = net.node("a");
    Node e = net.node("e");
    List<MessageId> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      SendResult<MessageId> r = a.send("e", payload(i));
      assertThat(r).isInstanceOf(SendResult.Accepted.class);
      ids.add(((SendResult.Accepted<MessageId>) r).id());
    }

    net.runFor(100 * MS);

    assertThat(e.delivered).extracting(DataMessage::id).containsExactlyElementsOf(ids);
    assertThat(e.delivered).allSatisfy(m -> assertThat(m.ttl()).isEqualTo(64 - 3));
    assertThat(a.acked.keySet()).containsExactlyElementsOf(ids);
    assertThat(a.acked.values()).allSatisfy(d -> assertThat(d.attempts()).isEqualTo(1));
    assertThat(net.dataFrames).containsEntry("a>b", 100L).containsEntry("b>c", 100L)
        .containsEntry("c>d", 100L).containsEntry("d>e", 100L);
    assertThat(a.unicast.inFlight()).isZero();
    assertThat(a.unicast.stats().retransmits()).isZero();
    // 4 hops of 1 ms each way plus up to one tick of ack coalescing.
    assertThat(a.unicast.srttNanos("e").orElseThrow()).isBetween(8 * MS, 10 * MS);
    for (String relay : new String[] {"b", "c", "d"}) {
      assertThat(net.node(relay).unicast.stats().forwarded()).isEqualTo(100);
      assertThat(net.node(relay).delivered).isEmpty();
    }
  }

  @Test
  void send_lossAndDuplication_ackedMessagesDeliveredExactlyOnce() {
    long seed = System.nanoTime();
    DeliverySettings settings = DeliverySettings.builder().maxAttempts(16)
        .maxDeliveryTime(Duration.ofSeconds(20)).dedupHold(Duration.ofSeconds(40)).build();
    DeliveryTestNetwork net = line(seed, settings, new LinkSpec(MS, 2 * MS, 0.2, 0.2));
    Node a = net.node("a");
    Node e = net.node("e");
    int count = 500;
    int accepted = 0;
    for (int i = 0; i < count; i++) {
      accepted += a.send("e", payload(i)).accepted() ? 1 : 0;
      accepted += e.send("a", payload(i)).accepted() ? 1 : 0;
      net.runFor(MS);
    }
    int total = accepted;
    boolean resolved = net.runUntil(() -> outcomes(a) + outcomes(e) == total, 60_000 * MS);
    Map<MessageId, Integer> deliveredAtE = countDeliveries(e);
    Map<MessageId, Integer> deliveredAtA = countDeliveries(a);

    // Retransmitted copies still in the network must not cause a second delivery.
    net.runFor(30_000 * MS);

    String why = "seed=" + seed;
    System.out.printf("lossy line, seed=%d: %d acked, %d failed, %d retransmits, %d duplicates"
        + " suppressed%n", seed, a.acked.size() + e.acked.size(),
        a.failures.size() + e.failures.size(),
        a.unicast.stats().retransmits() + e.unicast.stats().retransmits(),
        a.unicast.stats().duplicatesSuppressed() + e.unicast.stats().duplicatesSuppressed());
    assertThat(total).as(why).isEqualTo(2 * count);
    assertThat(resolved).as(why).isTrue();
    checkExactlyOnce(a, e, why);
    checkExactlyOnce(e, a, why);
    assertThat(countDeliveries(e)).as(why).isEqualTo(deliveredAtE);
    assertThat(countDeliveries(a)).as(why).isEqualTo(deliveredAtA);
    assertThat(a.acked.size() + e.acked.size()).as(why).isGreaterThan(total * 8 / 10);
    assertThat(a.unicast.stats().retransmits()).as(why).isPositive();
    assertThat(e.unicast.stats().duplicatesSuppressed()).as(why).isPositive();
    assertThat(a.unicast.inFlight() + e.unicast.inFlight()).as(why).isZero();
  }

  private static int outcomes(Node n) {
    return n.acked.size() + n.failures.size();
  }

  private static Map<MessageId, Integer> countDeliveries(Node n) {
    Map<MessageId, Integer> counts = new HashMap<>();
    for (DataMessage m : n.delivered) {
      counts.merge(m.id(), 1, Integer::sum);
    }
    return counts;
  }

  /** Every send has one outcome; nothing is delivered twice; every acked one was delivered. */
  private static void checkExactlyOnce(Node source, Node destination, String why) {
    Map<MessageId, Integer> deliveries = countDeliveries(destination);
    assertThat(deliveries.values()).as(why).allSatisfy(c -> assertThat(c).isEqualTo(1));
    assertThat(deliveries.keySet()).as(why).isSubsetOf(source.sentAt.keySet());
    Set<MessageId> both = new HashSet<>(source.acked.keySet());
    both.retainAll(source.failures.keySet());
    assertThat(both).as(why).isEmpty();
    assertThat(source.acked.size() + source.failures.size()).as(why)
        .isEqualTo(source.sentAt.size());
    assertThat(deliveries.keySet()).as(why).containsAll(source.acked.keySet());
  }

  @Test
  void retransmit_routeChangesMidFlight_takesNewPath() {
    DeliveryTestNetwork net = new DeliveryTestNetwork(3, DeliverySettings.defaults());
    for (String id : new String[] {"a", "b", "c", "e"}) {
      net.add(id);
    }
    net.connect("a", "b", LinkSpec.ideal(MS));
    net.connect("b", "e", new LinkSpec(MS, 0, 1.0, 0));
    net.connect("a", "c", LinkSpec.ideal(MS));
    net.connect("c", "e", LinkSpec.ideal(MS));
    net.computeRoutes();
    Node a = net.node("a");
    a.routes.set("e", "b");
    net.node("e").routes.set("a", "c");

    MessageId id = ((SendResult.Accepted<MessageId>) a.send("e", payload(1))).id();
    net.runFor(50 * MS);
    assertThat(net.dataFrames).containsEntry("b>e", 1L).doesNotContainKey("a>c");
    assertThat(net.node("e").delivered).isEmpty();

    a.routes.set("e", "c");
    net.runFor(1_000 * MS);

    assertThat(net.node("e").delivered).extracting(DataMessage::id).containsExactly(id);
    assertThat(net.dataFrames).containsEntry("a>b", 1L).containsEntry("a>c", 1L)
        .containsEntry("c>e", 1L);
    assertThat(a.acked.get(id).attempts()).isEqualTo(2);
  }

  @Test
  void send_destinationUnreachableBeyondRelay_failsWithTimeoutWithinBound() {
    DeliverySettings settings = DeliverySettings.builder()
        .maxDeliveryTime(Duration.ofSeconds(3)).build();
    DeliveryTestNetwork net = line(4, settings, LinkSpec.ideal(MS));
    net.node("c").routes.remove("e");
    Node a = net.node("a");

    MessageId id = ((SendResult.Accepted<MessageId>) a.send("e", payload(1))).id();
    long sentAt = net.now;
    net.runFor(5_000 * MS);

    DeliveryAction.DeliveryFailed f = a.failures.get(id);
    assertThat(f).isNotNull();
    assertThat(f.reason()).isEqualTo(FailureReason.TIMEOUT);
    assertThat(f.attempts()).isBetween(2, settings.maxAttempts());
    assertThat(a.outcomeAt.get(id) - sentAt).isLessThanOrEqualTo(3_000 * MS + MS);
    assertThat(a.acked).isEmpty();
    assertThat(net.node("c").unicast.stats().dropped().get(DropReason.NO_ROUTE))
        .isEqualTo(f.attempts());
    assertThat(a.unicast.stats().failed().get(FailureReason.TIMEOUT)).isEqualTo(1);
  }

  @Test
  void send_routeLostAtSource_failsWithNoRouteAtTheTimeBound() {
    DeliverySettings settings = DeliverySettings.builder()
        .maxDeliveryTime(Duration.ofSeconds(2)).build();
    DeliveryTestNetwork net = line(5, settings, LinkSpec.ideal(MS));
    Node a = net.node("a");
    net.disconnect("d", "e");
    MessageId id = ((SendResult.Accepted<MessageId>) a.send("e", payload(1))).id();
    long sentAt = net.now;
    a.routes.remove("e");

    net.runFor(3_000 * MS);

    assertThat(a.failures.get(id).reason()).isEqualTo(FailureReason.NO_ROUTE);
    assertThat(a.failures.get(id).attempts()).isEqualTo(1);
    assertThat(a.outcomeAt.get(id) - sentAt).isBetween(2_000 * MS, 2_000 * MS + MS);
  }

  @Test
  void send_manyMessages_memoryStaysBounded() {
    DeliveryTestNetwork net = line(6, DeliverySettings.defaults(), LinkSpec.ideal(MS));
    Node a = net.node("a");
    Node e = net.node("e");
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < 1_000; i++) {
        assertThat(a.send("e", payload(i)).accepted()).isTrue();
      }
      net.runFor(20 * MS);
      assertThat(a.unicast.inFlight()).isZero();
      assertThat(e.unicast.trackedSources()).isEqualTo(1);
      assertThat(a.unicast.destinations()).isEqualTo(1);
    }
    assertThat(e.delivered).hasSize(50_000);
    assertThat(a.acked).hasSize(50_000);
    assertThat(net.node("c").unicast.trackedSources()).isZero();
  }
}
