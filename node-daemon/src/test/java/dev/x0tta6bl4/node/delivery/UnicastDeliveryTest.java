package dev.x0tta6bl4.node.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.delivery.DeliveryAction.Deliver;
import dev.x0tta6bl4.node.delivery.DeliveryAction.Delivered;
import dev.x0tta6bl4.node.delivery.DeliveryAction.DeliveryFailed;
import dev.x0tta6bl4.node.delivery.DeliveryAction.Forward;
import dev.x0tta6bl4.node.delivery.DeliveryAction.SendAck;
import dev.x0tta6bl4.node.delivery.DeliveryTestNetwork.Routes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UnicastDeliveryTest {
  private static final long MS = 1_000_000L;
  private static final long T0 = 5_000 * MS;

  private final List<DeliveryAction> actions = new ArrayList<>();
  private final Routes routes = new Routes();

  private UnicastDelivery core(String id, DeliverySettings settings) {
    return new UnicastDelivery(id, 7, routes, settings, new SplittableRandom(42), actions::add);
  }

  private <T extends DeliveryAction> List<T> taken(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (DeliveryAction a : actions) {
      if (type.isInstance(a)) {
        out.add(type.cast(a));
      }
    }
    return out;
  }

  private static DataMessage data(String src, String dst, long boot, long seq, int ttl) {
    return new DataMessage(new MessageId(src, dst, boot, seq), ttl, "t", null, new byte[8]);
  }

  @Test
  void send_noRoute_isRejectedWithoutState() {
    UnicastDelivery a = core("a", DeliverySettings.defaults());
    SendResult<MessageId> r = a.send("z", "t", new byte[1], null, T0);
    assertThat(r).isEqualTo(new SendResult.Rejected<MessageId>(Rejection.NO_ROUTE, 0,
        "no route to z"));
    assertThat(actions).isEmpty();
    assertThat(a.destinations()).isZero();
  }

  @Test
  void send_payloadOverCap_isRejectedAsTooLarge() {
    UnicastDelivery a = core("a", DeliverySettings.builder().maxPayloadBytes(100).build());
    routes.set("b", "b");
    SendResult<MessageId> r = a.send("b", "t", new byte[101], null, T0);
    assertThat(((SendResult.Rejected<MessageId>) r).reason()).isEqualTo(Rejection.PAYLOAD_TOO_LARGE);
    assertThat(a.send("b", "t", new byte[100], null, T0).accepted()).isTrue();
  }

  @Test
  void send_badTopicOrTraceparent_isRejectedNamingTheValue() {
    UnicastDelivery a = core("a", DeliverySettings.defaults());
    routes.set("b", "b");
    SendResult.Rejected<MessageId> topic =
        (SendResult.Rejected<MessageId>) a.send("b", "has space", new byte[0], null, T0);
    SendResult.Rejected<MessageId> trace =
        (SendResult.Rejected<MessageId>) a.send("b", "t", new byte[0], "00-short", T0);
    SendResult.Rejected<MessageId> dest =
        (SendResult.Rejected<MessageId>) a.send("B!", "t", new byte[0], null, T0);
    assertThat(topic.reason()).isEqualTo(Rejection.INVALID_ARGUMENT);
    assertThat(topic.detail()).contains("'has space'");
    assertThat(trace.detail()).contains("'00-short'").contains("55..128");
    assertThat(dest.detail()).contains("'B!'");
    assertThat(a.stats().rejected().get(Rejection.INVALID_ARGUMENT)).isEqualTo(3);
  }

  @Test
  void send_toSelf_deliversAndConfirmsAtOnce() {
    UnicastDelivery a = core("a", DeliverySettings.defaults());
    SendResult<MessageId> r = a.send("a", "t", new byte[3], null, T0);
    assertThat(r.accepted()).isTrue();
    assertThat(taken(Deliver.class)).hasSize(1);
    assertThat(taken(Delivered.class)).containsExactly(
        new Delivered(((SendResult.Accepted<MessageId>) r).id(), 0, 1));
    assertThat(a.inFlight()).isZero();
  }

  @Test
  void send_inFlightWindowFull_rejectsQueueFullWithRetryAfterUntilAnAckFreesASlot() {
    UnicastDelivery a = core("a", DeliverySettings.builder().maxInFlight(4).build());
    routes.set("b", "b");
    for (int i = 0; i < 4; i++) {
      assertThat(a.send("b", "t", new byte[1], null, T0).accepted()).isTrue();
    }
    SendResult<MessageId> full = a.send("b", "t", new byte[1], null, T0);
    SendResult.Rejected<MessageId> rejected = (SendResult.Rejected<MessageId>) full;
    assertThat(rejected.reason()).isEqualTo(Rejection.QUEUE_FULL);
    assertThat(rejected.retryAfterNanos()).isEqualTo(200 * MS);
    assertThat(a.inFlight()).isEqualTo(4);

    long seq = taken(Forward.class).get(0).message().id().sequence();
    a.ackReceived("b", DataAck.of("b", "a", 7, 32, seq), T0 + 3 * MS);

    assertThat(a.inFlight()).isEqualTo(3);
    assertThat(a.send("b", "t", new byte[1], null, T0 + 3 * MS).accepted()).isTrue();
    assertThat(a.stats().rejected().get(Rejection.QUEUE_FULL)).isEqualTo(1);
  }

  @Test
  void ackReceived_firstSample_setsSrttAndRtoAsRfc6298() {
    UnicastDelivery a = core("a", DeliverySettings.defaults());
    routes.set("b", "b");
    a.send("b", "t", new byte[1], null, T0);
    assertThat(a.rtoNanos("b")).isEqualTo(200 * MS);

    a.ackReceived("b", DataAck.of("b", "a", 7, 32, 1), T0 + 10 * MS);

    assertThat(a.srttNanos("b")).hasValue(10 * MS);
    // SRTT + 4 * RTTVAR = 10 + 4 * 5 ms.
    assertThat(a.rtoNanos("b")).isEqualTo(30 * MS);
    assertThat(taken(Delivered.class)).containsExactly(
        new Delivered(new MessageId("a", "b", 7, 1), 10 * MS, 1));
  }

  @Test
  void ackReceived_retransmittedMessage_isNotSampled() {
    UnicastDelivery a = core("a", DeliverySettings.defaults());
    routes.set("b", "b");
    a.send("b", "t", new byte[1], null, T0);
    a.tick(T0 + 300 * MS);
    assertThat(taken(Forward.class)).hasSize(2);

    a.ackReceived("b", DataAck.of("b", "a", 7, 32, 1), T0 + 301 * MS);

    assertThat(a.srttNanos("b")).isEmpty();
    assertThat(taken(Delivered.class).get(0).attempts()).isEqualTo(2);
  }

  @Test
  void tick_noAck_retransmitsWithBackoffThenFailsAfterMaxAttempts() {
    DeliverySettings s = DeliverySettings.builder().maxAttempts(4).build();
    UnicastDelivery a = core("a", s);
    routes.set("b", "b");
    a.send("b", "t", new byte[1], null, T0);
    List<Long> sendTimes = new ArrayList<>();
    sendTimes.add(0L);
    for (long t = T0; t <= T0 + 10_000 * MS; t += MS) {
      int before = taken(Forward.class).size();
      a.tick(t);
      if (taken(Forward.class).size() > before) {
        sendTimes.add((t - T0) / MS);
      }
    }
    // 200, 400, 800 ms apart plus up to 1/16 jitter; the 4th copy waits 1,600 ms for its ack.
    assertThat(sendTimes).hasSize(4);
    long[] gaps = {200, 400, 800};
    for (int i = 0; i < 3; i++) {
      long gap = sendTimes.get(i + 1) - sendTimes.get(i);
      assertThat(gap).isBetween(gaps[i], gaps[i] + gaps[i] / 16 + 1);
    }
    DeliveryFailed f = taken(DeliveryFailed.class).get(0);
    assertThat(f.reason()).isEqualTo(FailureReason.TIMEOUT);
    assertThat(f.attempts()).isEqualTo(4);
    assertThat(a.inFlight()).isZero();
    assertThat(a.stats().retransmits()).isEqualTo(3);
  }

  @Test
  void neighbourDown_resendsWhatWentThroughItAtOnceOverTheNewRouteWithAFreshAttemptBudget() {
    DeliverySettings s = DeliverySettings.builder().maxAttempts(3).build();
    UnicastDelivery a = core("a", s);
    routes.set("d", "b");
    routes.set("c", "c");
    a.send("d", "t", new byte[1], null, T0); // via b
    a.send("c", "t", new byte[1], null, T0); // via c, unaffected
    for (long t = T0; t <= T0 + 700 * MS; t += MS) {
      a.tick(t); // copies 2 and 3 to d go into b, which is still believed up
    }
    assertThat(taken(Forward.class)).filteredOn(f -> f.message().destination().equals("d"))
        .extracting(Forward::nextHop).containsExactly("b", "b", "b");
    routes.set("d", "e"); // the routing core repaired the route first
    actions.clear();

    a.neighbourDown("b", T0 + 700 * MS);

    assertThat(taken(Forward.class)).extracting(Forward::nextHop).containsExactly("e");
    // Its budget starts afresh: two more copies over e before it gives up, not none.
    for (long t = T0 + 700 * MS; t <= T0 + 10_000 * MS; t += MS) {
      a.tick(t);
    }
    DeliveryFailed failedD = taken(DeliveryFailed.class).stream()
        .filter(f -> f.id().destination().equals("d")).findFirst().orElseThrow();
    assertThat(failedD.attempts()).isEqualTo(3);
    assertThat(taken(Forward.class)).filteredOn(f -> f.message().destination().equals("d"))
        .extracting(Forward::nextHop).containsOnly("e").hasSize(3);
  }

  @Test
  void neighbourDown_noRouteLeft_waitsForOneWithinTheDeliveryTime() {
    UnicastDelivery a = core("a", DeliverySettings.builder()
        .maxDeliveryTime(Duration.ofSeconds(2)).build());
    routes.set("d", "b");
    a.send("d", "t", new byte[1], null, T0);
    routes.remove("d");
    actions.clear();

    a.neighbourDown("b", T0 + 10 * MS);
    assertThat(taken(Forward.class)).isEmpty();
    routes.set("d", "e");
    for (long t = T0 + 10 * MS; t <= T0 + 300 * MS; t += MS) { // one RTO (200 ms) later
      a.tick(t);
    }

    assertThat(taken(Forward.class)).extracting(Forward::nextHop).containsExactly("e");
    assertThat(taken(DeliveryFailed.class)).isEmpty();
  }

  @Test
  void dataReceived_duplicate_isDeliveredOnceButAckedEachTime() {
    UnicastDelivery e = core("e", DeliverySettings.defaults());
    routes.set("a", "d");
    DataMessage m = data("a", "e", 3, 1, 5);
    e.dataReceived("d", m, T0);
    e.flushAcks(T0);
    e.dataReceived("d", m, T0 + MS);
    e.flushAcks(T0 + MS);

    assertThat(taken(Deliver.class)).extracting(Deliver::message).containsExactly(m);
    assertThat(taken(SendAck.class)).hasSize(2).allSatisfy(s -> {
      assertThat(s.nextHop()).isEqualTo("d");
      assertThat(s.ack()).isEqualTo(DataAck.of("e", "a", 3, 64, 1));
    });
    assertThat(e.stats().duplicatesSuppressed()).isEqualTo(1);
  }

  @Test
  void flushAcks_manyMessagesFromOneSource_coalescesIntoOneAckWithRanges() {
    UnicastDelivery e = core("e", DeliverySettings.defaults());
    routes.set("a", "d");
    for (long seq : new long[] {1, 2, 3, 5, 6, 9}) {
      e.dataReceived("d", data("a", "e", 3, seq, 5), T0);
    }
    e.flushAcks(T0);

    assertThat(taken(SendAck.class)).hasSize(1);
    assertThat(taken(SendAck.class).get(0).ack().ranges()).containsExactly(1, 3, 5, 6, 9, 9);
  }

  @Test
  void dataReceived_moreRangesThanOneAckHolds_sendsAckWithoutWaiting() {
    UnicastDelivery e = core("e", DeliverySettings.builder().maxAckRanges(2).build());
    routes.set("a", "d");
    e.dataReceived("d", data("a", "e", 3, 1, 5), T0);
    e.dataReceived("d", data("a", "e", 3, 3, 5), T0);
    assertThat(taken(SendAck.class)).hasSize(1);
    e.flushAcks(T0);
    assertThat(taken(SendAck.class)).hasSize(1);
  }

  @Test
  void dataReceived_olderBootOrBehindWindow_isDroppedWithoutDelivery() {
    UnicastDelivery e = core("e", DeliverySettings.defaults());
    routes.set("a", "d");
    e.dataReceived("d", data("a", "e", 5, 1, 5), T0);
    e.dataReceived("d", data("a", "e", 4, 2, 5), T0);
    e.dataReceived("d", data("a", "e", 5, 1 + DeliverySettings.RECEIVE_WINDOW + 1, 5), T0);
    e.dataReceived("d", data("a", "e", 5, 1, 5), T0);
    e.dataReceived("d", data("a", "e", 6, 1, 5), T0);

    assertThat(taken(Deliver.class)).extracting(d -> d.message().id().boot() + "/"
        + d.message().id().sequence())
        .containsExactly("5/1", "5/" + (DeliverySettings.RECEIVE_WINDOW + 2), "6/1");
    assertThat(e.stats().dropped().get(DropReason.STALE_BOOT)).isEqualTo(1);
    assertThat(e.stats().dropped().get(DropReason.STALE)).isEqualTo(1);
  }

  @Test
  void dataReceived_forAnotherNode_isForwardedWithTtlMinusOneOrDropped() {
    UnicastDelivery c = core("c", DeliverySettings.defaults());
    routes.set("e", "d");
    c.dataReceived("b", data("a", "e", 1, 1, 3), T0);
    c.dataReceived("b", data("a", "e", 1, 2, 1), T0);
    c.dataReceived("b", data("a", "z", 1, 1, 3), T0);

    assertThat(taken(Forward.class)).containsExactly(new Forward("d", data("a", "e", 1, 1, 2)));
    assertThat(c.stats().dropped().get(DropReason.TTL_EXPIRED)).isEqualTo(1);
    assertThat(c.stats().dropped().get(DropReason.NO_ROUTE)).isEqualTo(1);
    assertThat(c.stats().forwarded()).isEqualTo(1);
  }

  @Test
  void dataReceived_sourcesOverTableCap_refusedUntilHoldExpires() {
    DeliverySettings s = DeliverySettings.builder().maxSources(2)
        .maxDeliveryTime(Duration.ofSeconds(1)).dedupHold(Duration.ofSeconds(2)).build();
    UnicastDelivery e = core("e", s);
    for (String src : new String[] {"a", "b", "c"}) {
      routes.set(src, src);
      e.dataReceived(src, data(src, "e", 1, 1, 5), T0);
    }
    assertThat(e.trackedSources()).isEqualTo(2);
    assertThat(e.stats().dropped().get(DropReason.TABLE_FULL)).isEqualTo(1);

    e.dataReceived("c", data("c", "e", 1, 1, 5), T0 + 2_000 * MS);

    assertThat(e.trackedSources()).isEqualTo(2);
    assertThat(taken(Deliver.class)).extracting(d -> d.message().source())
        .containsExactly("a", "b", "c");
    e.tick(T0 + 4_001 * MS);
    assertThat(e.trackedSources()).isZero();
  }

  @Test
  void ackReceived_forAnotherNode_isRelayed() {
    UnicastDelivery c = core("c", DeliverySettings.defaults());
    routes.set("a", "b");
    c.ackReceived("d", DataAck.of("e", "a", 1, 4, 9), T0);
    assertThat(taken(SendAck.class)).containsExactly(
        new SendAck("b", DataAck.of("e", "a", 1, 3, 9)));
  }

  @Test
  void close_inFlight_failsEachOnceWithClosedAndRefusesMore() {
    UnicastDelivery a = core("a", DeliverySettings.defaults());
    routes.set("b", "b");
    routes.set("c", "b");
    a.send("b", "t", new byte[1], null, T0);
    a.send("c", "t", new byte[1], null, T0);

    a.close();
    a.close();

    assertThat(taken(DeliveryFailed.class)).extracting(DeliveryFailed::reason)
        .containsExactly(FailureReason.CLOSED, FailureReason.CLOSED);
    assertThat(a.inFlight()).isZero();
    assertThat(((SendResult.Rejected<MessageId>) a.send("b", "t", new byte[1], null, T0)).reason())
        .isEqualTo(Rejection.CLOSED);
  }

  @Test
  void ackReceived_overlappingRangesBeyondOneWindow_stopsAndCountsMalformed() {
    UnicastDelivery a = core("a", DeliverySettings.defaults());
    routes.set("b", "b");
    for (int i = 0; i < 10_000; i++) {
      a.send("b", "t", new byte[1], null, T0);
    }
    long[] ranges = new long[2 * DataAck.MAX_RANGES];
    for (int i = 0; i < DataAck.MAX_RANGES; i++) {
      ranges[2 * i] = 1;
      ranges[2 * i + 1] = i < 3 ? 5_000 : 10_000;
    }

    a.ackReceived("b", new DataAck("b", "a", 7, 3, ranges), T0 + MS);

    // Three ranges of 5,000 fit the budget of 16,384 numbers, the fourth (10,000) does not.
    assertThat(a.inFlight()).isEqualTo(5_000);
    assertThat(a.stats().acksDropped().get(DropReason.MALFORMED)).isEqualTo(1);
  }
}
