package dev.x0tta6bl4.node.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.delivery.DeliveryAction.Deliver;
import dev.x0tta6bl4.node.delivery.DeliveryAction.Delivered;
import dev.x0tta6bl4.node.delivery.DeliveryAction.Forward;
import dev.x0tta6bl4.node.delivery.DeliveryAction.SendAck;
import dev.x0tta6bl4.node.delivery.DeliveryTestNetwork.Routes;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Single-thread send + deliver + ack cycles between two directly linked cores, with and without
 * the codec. The rate is printed for orientation only; speed targets are checked by JMH benchmarks.
 * The assertions check that every cycle completed.
 */
class UnicastThroughputSanityTest {
  private static final int BATCH = 64;

  private static final class Pair {
    final ArrayDeque<DataMessage> toB = new ArrayDeque<>();
    final ArrayDeque<DataAck> toA = new ArrayDeque<>();
    long deliveredAtB;
    long confirmedAtA;
    final UnicastDelivery a;
    final UnicastDelivery b;

    Pair() {
      Routes ra = new Routes();
      ra.set("b", "b");
      Routes rb = new Routes();
      rb.set("a", "a");
      a = new UnicastDelivery("a", 1, ra, DeliverySettings.defaults(), new SplittableRandom(1),
          act -> {
            if (act instanceof Forward f) {
              toB.add(f.message());
            } else if (act instanceof Delivered) {
              confirmedAtA++;
            }
          });
      b = new UnicastDelivery("b", 1, rb, DeliverySettings.defaults(), new SplittableRandom(2),
          act -> {
            if (act instanceof SendAck s) {
              toA.add(s.ack());
            } else if (act instanceof Deliver) {
              deliveredAtB++;
            }
          });
    }

    /** Runs {@code n} cycles; returns wall nanos. */
    long run(int n, DeliveryCodec codec) {
      byte[] payload = new byte[256];
      long virtualNow = 1_000_000_000L;
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        virtualNow += 1_000;
        if (!a.send("b", "load", payload, null, virtualNow).accepted()) {
          throw new AssertionError("send " + i + " rejected");
        }
        DataMessage m = toB.poll();
        if (codec != null) {
          m = codec.decodeData(codec.encode(m));
        }
        b.dataReceived("a", m, virtualNow);
        if (i % BATCH == BATCH - 1 || i == n - 1) {
          b.flushAcks(virtualNow);
          DataAck ack;
          while ((ack = toA.poll()) != null) {
            if (codec != null) {
              ack = codec.decodeAck(codec.encode(ack));
            }
            a.ackReceived("b", ack, virtualNow);
          }
          a.tick(virtualNow);
        }
      }
      return System.nanoTime() - start;
    }
  }

  @Test
  void sendAndAck_millionMessagesSingleThread_allConfirmedAndRatePrinted() {
    int n = 1_000_000;
    DeliveryCodec warmCodec = new DeliveryCodec(64 << 10);
    for (int round = 0; round < 3; round++) {
      new Pair().run(200_000, null);
      new Pair().run(200_000, warmCodec);
    }
    for (boolean withCodec : new boolean[] {false, true}) {
      DeliveryCodec codec = withCodec ? warmCodec : null;
      Pair p = new Pair();
      long nanos = p.run(n, codec);
      System.out.printf("delivery core %s: %,d send+deliver+ack cycles of 256 B in %d ms = %,.0f/s"
          + " single-threaded (acks every %d messages)%n",
          withCodec ? "with codec encode+decode" : "without codec", n, nanos / 1_000_000,
          n * 1e9 / nanos, BATCH);
      assertThat(p.deliveredAtB).isEqualTo(n);
      assertThat(p.confirmedAtA).isEqualTo(n);
      assertThat(p.a.inFlight()).isZero();
      assertThat(p.a.stats().acksReceived()).isEqualTo((n + BATCH - 1) / BATCH);
    }
  }
}
