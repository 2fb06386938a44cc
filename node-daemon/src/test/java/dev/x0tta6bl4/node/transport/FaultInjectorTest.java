package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.x0tta6bl4.node.transport.FaultPlan.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(FaultInjectorLeakWatch.class)
class FaultInjectorTest {
  private static final long SEED = 0x5EED_F00DL;
  private static final Comparator<Object> BY_VALUE = Comparator.comparingInt(o -> (Integer) o);

  private FaultInjectorFixture fixture;

  @AfterEach
  void releaseEverything() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private FaultInjectorFixture open(Direction direction, FaultPlan plan) {
    fixture = new FaultInjectorFixture(FaultPlans.NONE.with(direction, plan), SEED);
    return fixture;
  }

  private static List<Integer> ids(int from, int toInclusive) {
    return IntStream.rangeClosed(from, toInclusive).boxed().toList();
  }

  private void sendIds(Direction direction, int from, int toInclusive, int size) {
    for (int id = from; id <= toInclusive; id++) {
      fixture.send(direction, fixture.buffer(id, size));
    }
  }

  private void sendObjects(Direction direction, int count) {
    for (int id = 1; id <= count; id++) {
      fixture.send(direction, Integer.valueOf(id));
    }
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void noFaults_anyDirection_passesEveryMessageInOrder(Direction direction) {
    open(direction, FaultPlan.NONE);
    sendIds(direction, 1, 50, 16);

    assertThat(fixture.receiveIds(direction)).isEqualTo(ids(1, 50));
    assertThat(fixture.counters(direction))
        .isEqualTo(new FaultInjector.Counters(50, 0, 0, 0, 0, 0, 0, 0));
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void blocked_anyDirection_dropsAndReleasesEveryMessage(Direction direction) {
    open(direction, FaultPlan.BLOCKED);
    sendIds(direction, 1, 100, 16);

    assertThat(fixture.receiveIds(direction)).isEmpty();
    assertThat(fixture.counters(direction).dropped()).isEqualTo(100);
    assertThat(fixture.counters(direction).passed()).isZero();
    // A lossy network does not tell the sender: dropped writes succeed.
    assertThat(fixture.writes).allMatch(ChannelFuture::isSuccess);
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void blocked_oneDirection_leavesOtherDirectionUntouched(Direction direction) {
    Direction other = direction == Direction.INBOUND ? Direction.OUTBOUND : Direction.INBOUND;
    fixture = new FaultInjectorFixture(FaultPlans.oneWay(direction), SEED);
    sendIds(direction, 1, 10, 8);
    sendIds(other, 11, 20, 8);

    assertThat(fixture.receiveIds(direction)).isEmpty();
    assertThat(fixture.receiveIds(other)).isEqualTo(ids(11, 20));
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void loss_probabilityOne_dropsEveryMessage(Direction direction) {
    open(direction, FaultPlan.builder().lossProbability(1.0).build());
    sendIds(direction, 1, 100, 8);

    assertThat(fixture.receiveIds(direction)).isEmpty();
    assertThat(fixture.counters(direction).dropped()).isEqualTo(100);
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void loss_probabilityPointThree_dropsAboutThirtyPercentOfTenThousand(Direction direction) {
    // Plain objects: loss applies to any message, and leak tracking 10,000 buffers is slow.
    open(direction, FaultPlan.builder().lossProbability(0.3).build());
    sendObjects(direction, 10_000);

    List<Object> received = fixture.receiveAll(direction);
    // Binomial(10000, 0.3): standard deviation ~46; 300 is more than six of them.
    assertThat(received.size()).isCloseTo(7_000, within(300));
    assertThat(received).doesNotHaveDuplicates().isSortedAccordingTo(BY_VALUE);
    FaultInjector.Counters counters = fixture.counters(direction);
    assertThat(counters.passed()).isEqualTo(received.size());
    assertThat(counters.passed() + counters.dropped()).isEqualTo(10_000);
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void duplication_probabilityOne_deliversEveryBufferTwiceAsIndependentDuplicates(
      Direction direction) {
    open(direction, FaultPlan.builder().duplicateProbability(1.0).build());
    sendIds(direction, 1, 20, 12);

    for (int id = 1; id <= 20; id++) {
      ByteBuf first = (ByteBuf) fixture.receive(direction);
      ByteBuf second = (ByteBuf) fixture.receive(direction);
      assertThat(first.readInt()).isEqualTo(id);
      // Reading the first did not move the second's reader index.
      assertThat(second.readerIndex()).isZero();
      assertThat(second.getInt(0)).isEqualTo(id);
      first.release();
      second.release();
    }
    assertThat(fixture.receive(direction)).isNull();
    assertThat(fixture.counters(direction).duplicated()).isEqualTo(20);
    assertThat(fixture.counters(direction).passed()).isEqualTo(40);
    assertThat(fixture.writes).allMatch(ChannelFuture::isSuccess);
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void duplication_probabilityHalf_duplicatesAboutHalf(Direction direction) {
    open(direction, FaultPlan.builder().duplicateProbability(0.5).build());
    sendObjects(direction, 4_000);

    List<Object> received = fixture.receiveAll(direction);
    // Binomial(4000, 0.5): standard deviation ~32.
    assertThat(received.size() - 4_000).isCloseTo(2_000, within(200));
    assertThat(received.stream().distinct().toList()).isEqualTo(new ArrayList<>(ids(1, 4_000)));
    assertThat(fixture.counters(direction).duplicated()).isEqualTo(received.size() - 4_000);
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void delay_anyDirection_releasesOnlyWhenVirtualTimeHasAdvanced(Direction direction) {
    open(direction, FaultPlan.builder().delay(Duration.ofMillis(50)).build());
    sendIds(direction, 1, 3, 8);

    assertThat(fixture.receive(direction)).isNull();
    fixture.advanceMillis(49);
    assertThat(fixture.receive(direction)).isNull();
    fixture.advanceMillis(1);
    assertThat(fixture.receiveIds(direction)).isEqualTo(ids(1, 3));
    assertThat(fixture.counters(direction).delayed()).isEqualTo(3);
    assertThat(fixture.writes).allMatch(ChannelFuture::isSuccess);
  }

  @Test
  void delayedInboundMessages_released_areFollowedByReadComplete() {
    open(Direction.INBOUND, FaultPlan.builder().delay(Duration.ofMillis(5)).build());
    fixture.send(Direction.INBOUND, fixture.buffer(1, 8));
    int before = fixture.readCompletes();

    fixture.advanceMillis(5);

    assertThat(fixture.receiveIds(Direction.INBOUND)).containsExactly(1);
    assertThat(fixture.readCompletes()).isEqualTo(before + 1);
  }

  @Test
  void delayedWrite_withoutFlush_staysUnflushedUntilTheWriterFlushes() {
    open(Direction.OUTBOUND, FaultPlan.builder().delay(Duration.ofMillis(5)).build());
    ChannelFuture write = fixture.channel.writeOneOutbound(fixture.buffer(1, 8));

    fixture.advanceMillis(5);
    assertThat(fixture.receive(Direction.OUTBOUND)).isNull();
    fixture.channel.flushOutbound();

    assertThat(fixture.receiveIds(Direction.OUTBOUND)).containsExactly(1);
    assertThat(write.isSuccess()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void jitter_anyDirection_latencyStaysWithinDelayPlusJitterAndSpreads(Direction direction) {
    open(
        direction,
        FaultPlan.builder().delay(Duration.ofMillis(10)).jitter(Duration.ofMillis(20)).build());
    long stepNanos = 100_000;
    long minLatency = Long.MAX_VALUE;
    long maxLatency = 0;
    for (int id = 1; id <= 200; id++) {
      fixture.send(direction, fixture.buffer(id, 8));
      long latency = 0;
      while (fixture.channel.inboundMessages().isEmpty()
          && fixture.channel.outboundMessages().isEmpty()
          && latency <= 40_000_000) {
        fixture.advanceNanos(stepNanos);
        latency += stepNanos;
      }
      assertThat(fixture.receiveIds(direction)).containsExactly(id);
      minLatency = Math.min(minLatency, latency);
      maxLatency = Math.max(maxLatency, latency);
    }
    assertThat(minLatency).isBetween(10_000_000L, 12_000_000L);
    assertThat(maxLatency).isBetween(28_000_000L, 30_000_000L + stepNanos);
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void jitter_manyMessagesAtOnce_neverReorders(Direction direction) {
    open(
        direction,
        FaultPlan.builder().delay(Duration.ofMillis(1)).jitter(Duration.ofMillis(20)).build());
    sendIds(direction, 1, 100, 8);

    fixture.advanceMillis(21);

    assertThat(fixture.receiveIds(direction)).isEqualTo(ids(1, 100));
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void reorder_probabilityOne_swapsEachPairOfMessages(Direction direction) {
    open(direction, FaultPlan.builder().reorderProbability(1.0).build());
    sendIds(direction, 1, 6, 8);

    assertThat(fixture.receiveIds(direction)).containsExactly(2, 1, 4, 3, 6, 5);
    assertThat(fixture.counters(direction).reordered()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void reorder_heldMessageWithoutSuccessor_releasedAfterWindow(Direction direction) {
    open(
        direction,
        FaultPlan.builder()
            .reorderProbability(1.0)
            .reorderWindow(Duration.ofMillis(5))
            .build());
    fixture.send(direction, fixture.buffer(1, 8));

    fixture.advanceMillis(4);
    assertThat(fixture.receive(direction)).isNull();
    fixture.advanceMillis(1);

    assertThat(fixture.receiveIds(direction)).containsExactly(1);
    assertThat(fixture.counters(direction).reordered()).isZero();
    assertThat(fixture.writes).allMatch(ChannelFuture::isSuccess);
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void corruption_probabilityOne_flipsExactlyOneBitOfACopyAndLeavesTheOriginal(
      Direction direction) {
    open(direction, FaultPlan.builder().corruptProbability(1.0).build());
    int messages = 200;
    List<Integer> flippedBits = new ArrayList<>();
    for (int id = 1; id <= messages; id++) {
      ByteBuf original = fixture.buffer(id, 32);
      byte[] before = ByteBufUtil.getBytes(original);
      original.retain(); // the sender keeps a reference
      fixture.send(direction, original);

      ByteBuf received = (ByteBuf) fixture.receive(direction);
      assertThat(received).isNotSameAs(original);
      assertThat(ByteBufUtil.getBytes(original)).isEqualTo(before);
      byte[] after = ByteBufUtil.getBytes(received);
      assertThat(after).hasSameSizeAs(before);
      int differing = 0;
      for (int i = 0; i < before.length; i++) {
        int xor = (before[i] ^ after[i]) & 0xff;
        differing += Integer.bitCount(xor);
        if (xor != 0) {
          flippedBits.add(i * 8 + Integer.numberOfTrailingZeros(xor));
        }
      }
      assertThat(differing).isEqualTo(1);
      assertThat(original.refCnt()).isEqualTo(1);
      original.release();
      received.release();
    }
    assertThat(fixture.counters(direction).corrupted()).isEqualTo(messages);
    // The position is random: 200 draws over 256 bits hit many different bits.
    assertThat(flippedBits.stream().distinct().count()).isGreaterThan(100);
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void corruption_emptyBufferOrOtherMessage_passesUnchanged(Direction direction) {
    open(direction, FaultPlan.builder().corruptProbability(1.0).build());
    ByteBuf empty = fixture.buffer(0, 4).skipBytes(4);
    fixture.send(direction, empty);
    fixture.send(direction, "frame-object");

    assertThat(fixture.receive(direction)).isSameAs(empty);
    empty.release();
    assertThat(fixture.receive(direction)).isEqualTo("frame-object");
    assertThat(fixture.counters(direction).corrupted()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void bandwidthCap_anyDirection_passesAtMostRateTimesTimePlusBurst(Direction direction) {
    long rate = 10_000;
    long burst = 1_000;
    open(direction, FaultPlan.builder().bandwidth(rate, burst).build());
    sendIds(direction, 1, 300, 100);

    long passedBytes = 0;
    List<Integer> order = new ArrayList<>();
    for (int millis = 0; millis <= 2_000; millis++) {
      if (millis > 0) {
        fixture.advanceMillis(1);
      }
      for (int id : fixture.receiveIds(direction)) {
        order.add(id);
        passedBytes += 100;
      }
      assertThat(passedBytes).as("bytes after %d ms", millis).isLessThanOrEqualTo(
          rate * millis / 1_000 + burst);
    }
    // The bucket is never left idle while messages wait: the bound is met, not undershot.
    assertThat(passedBytes).isGreaterThanOrEqualTo(rate * 2 + burst - 100);
    assertThat(order).isEqualTo(ids(1, order.size()));
    assertThat(fixture.counters(direction).throttled()).isGreaterThan(0);
    fixture.advanceMillis(1_000);
    assertThat(fixture.receiveIds(direction)).isEqualTo(ids(order.size() + 1, 300));
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void bandwidthCap_frameObjects_consumeTheirEncodedLength(Direction direction) {
    Frame frame = new Frame.Heartbeat(1, 2);
    int size = FrameEncoder.encodedLength(frame);
    // A burst of exactly one frame, refilled at one frame per second.
    open(direction, FaultPlan.builder().bandwidth(size, size).build());
    for (int i = 0; i < 3; i++) {
      fixture.send(direction, new Frame.Heartbeat(i, 2));
    }

    assertThat(fixture.receive(direction)).isEqualTo(new Frame.Heartbeat(0, 2));
    assertThat(fixture.receive(direction)).isNull();
    fixture.advanceMillis(1_000);
    assertThat(fixture.receive(direction)).isEqualTo(new Frame.Heartbeat(1, 2));
    assertThat(fixture.receive(direction)).isNull();
    assertThat(fixture.counters(direction).throttled()).isGreaterThan(0);
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void bandwidthCap_queueFull_dropsAndCountsOverflow(Direction direction) {
    open(direction, FaultPlan.builder().bandwidth(100, 100).queueLimit(10).build());
    sendIds(direction, 1, 20, 100);

    // Message 1 uses the burst, 2..11 fill the queue, 12..20 overflow.
    assertThat(fixture.receiveIds(direction)).containsExactly(1);
    FaultInjector.Counters counters = fixture.counters(direction);
    assertThat(counters.overflowed()).isEqualTo(9);
    assertThat(counters.dropped()).isEqualTo(9);
    if (direction == Direction.OUTBOUND) {
      assertThat(fixture.writes.subList(11, 20)).allMatch(ChannelFuture::isSuccess);
      assertThat(fixture.writes.subList(1, 11)).noneMatch(ChannelFuture::isDone);
    }
    fixture.advanceMillis(10_000);
    assertThat(fixture.receiveIds(direction)).isEqualTo(ids(2, 11));
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void planSwitchedFromAnotherThread_appliesToTheNextMessage(Direction direction) {
    open(direction, FaultPlan.NONE);
    fixture.send(direction, fixture.buffer(1, 8));

    CompletableFuture.runAsync(() -> fixture.injector.setPlans(FaultPlans.partition())).join();
    fixture.send(direction, fixture.buffer(2, 8));
    CompletableFuture.runAsync(() -> fixture.injector.setPlan(direction, FaultPlan.NONE)).join();
    fixture.send(direction, fixture.buffer(3, 8));

    assertThat(fixture.receiveIds(direction)).containsExactly(1, 3);
    assertThat(fixture.injector.plans().plan(direction)).isEqualTo(FaultPlan.NONE);
  }

  @Test
  void channelClosed_withDelayedAndHeldMessages_releasesThemAndFailsTheirWrites() {
    FaultPlan slow =
        FaultPlan.builder()
            .delay(Duration.ofSeconds(1))
            .reorderProbability(0.5)
            .reorderWindow(Duration.ofSeconds(5))
            .build();
    fixture = new FaultInjectorFixture(FaultPlans.both(slow), SEED);
    sendIds(Direction.INBOUND, 1, 5, 8);
    sendIds(Direction.OUTBOUND, 6, 10, 8);

    fixture.channel.close();

    assertThat(fixture.counters(Direction.INBOUND).dropped()).isEqualTo(5);
    assertThat(fixture.counters(Direction.OUTBOUND).dropped()).isEqualTo(5);
    assertThat(fixture.writes)
        .allSatisfy(
            write -> assertThat(write.cause()).isInstanceOf(ClosedChannelException.class));
    fixture.advanceMillis(10_000);
    assertThat(fixture.receiveIds(Direction.INBOUND)).isEmpty();
    assertThat(fixture.receiveIds(Direction.OUTBOUND)).isEmpty();
  }

  @Test
  void handlerRemoved_withQueuedMessages_releasesThem() {
    fixture =
        new FaultInjectorFixture(
            FaultPlans.both(FaultPlan.builder().bandwidth(1, 1).build()), SEED);
    sendIds(Direction.INBOUND, 1, 5, 8);
    sendIds(Direction.OUTBOUND, 6, 10, 8);
    assertThat(fixture.receiveIds(Direction.INBOUND)).containsExactly(1);
    assertThat(fixture.receiveIds(Direction.OUTBOUND)).containsExactly(6);

    fixture.channel.pipeline().remove(fixture.injector);

    assertThat(fixture.counters(Direction.INBOUND).dropped()).isEqualTo(4);
    assertThat(fixture.counters(Direction.OUTBOUND).dropped()).isEqualTo(4);
    fixture.advanceMillis(60_000);
    assertThat(fixture.receiveIds(Direction.INBOUND)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void frameObjects_duplicatedAndDelayed_deliveredAsTheSameObjects(Direction direction) {
    open(
        direction,
        FaultPlan.builder().duplicateProbability(1.0).delay(Duration.ofMillis(3)).build());
    fixture.send(direction, "hello");

    fixture.advanceMillis(3);

    assertThat(fixture.receive(direction)).isEqualTo("hello");
    assertThat(fixture.receive(direction)).isEqualTo("hello");
    assertThat(fixture.receive(direction)).isNull();
  }

  @Test
  void sameSeed_sameLossPattern() {
    List<List<Integer>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      open(Direction.INBOUND, FaultPlan.builder().lossProbability(0.5).build());
      sendIds(Direction.INBOUND, 1, 200, 4);
      runs.add(fixture.receiveIds(Direction.INBOUND));
      fixture.close();
    }
    fixture = null;
    assertThat(runs.get(0)).isEqualTo(runs.get(1)).hasSizeBetween(50, 150);
  }
}
