package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.cluster.LocalCluster;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshLinksTest {
  @TempDir Path dir;

  @Test
  void duplicateConnections_bothEndsKeepTheOneDialledBySmallerId_whateverTheArrivalOrder() {
    // Arrival order A: the n1->n0 connection registered first, then n0->n1 arrives.
    assertThat(MeshLinks.preferNewConnection("n0", "n1", true, false)).isTrue();
    assertThat(MeshLinks.preferNewConnection("n1", "n0", false, true)).isTrue();
    // Arrival order B: n0->n1 first, then n1->n0 arrives.
    assertThat(MeshLinks.preferNewConnection("n0", "n1", false, true)).isFalse();
    assertThat(MeshLinks.preferNewConnection("n1", "n0", true, false)).isFalse();
    // Two connections in the same direction: the first stays.
    assertThat(MeshLinks.preferNewConnection("n0", "n1", true, true)).isFalse();
    assertThat(MeshLinks.preferNewConnection("n1", "n0", false, false)).isFalse();
  }

  @Test
  void linkAlreadyUp_addingThePeerAsSeed_doesNotOpenASecondConnection() {
    try (LocalCluster cluster =
        LocalCluster.start(dir, 2, (i, n) -> i == 0 ? List.of() : List.of(0))) {
      cluster.awaitTopology(Duration.ofSeconds(5));
      cluster.node(0).links().addSeed(cluster.node(1).meshAddress());
      cluster.node(1).links().addSeed(cluster.node(0).meshAddress());

      // Several ticks later there is still exactly one link, the original one.
      long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
      LocalCluster.await(() -> System.nanoTime() > deadline, Duration.ofSeconds(2), () -> "");
      assertThat(cluster.node(0).links().snapshot()).singleElement()
          .satisfies(l -> assertThat(l.outbound()).isFalse());
      assertThat(cluster.node(1).links().snapshot()).singleElement()
          .satisfies(l -> assertThat(l.outbound()).isTrue());
      assertThat(cluster.deaths()).isEmpty();
    }
  }

  @Test
  void sendRegardlessOfBackpressure_linkPushingBack_frameStillArrivesWhereSendRefuses()
      throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 2, LocalCluster.Topology.LINE)) {
      cluster.awaitTopology(Duration.ofSeconds(5));
      MeshLinks n0 = cluster.node(0).links();
      List<byte[]> arrived = new java.util.concurrent.CopyOnWriteArrayList<>();
      byte[] marker = {0x7f, 0x01, 0x02, 0x03}; // n1's router drops it as malformed; fine here
      cluster.node(1).links().addListenerAndReplay(new MeshLinks.Listener() {
        @Override
        public void frameReceived(Link link, Frame frame) {
          if (frame instanceof Frame.Opaque o && java.util.Arrays.equals(o.body(), marker)) {
            arrived.add(o.body());
          }
        }
      });
      io.netty.channel.Channel channel = n0.currentLinks().get("n1").channel();
      channel.eventLoop().submit(() ->
          channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false)).get();
      try {
        Frame advert = new Frame.Opaque(FrameType.LINK_STATE_ADVERT, marker);

        assertThat(n0.send("n1", advert)).as("plain send under backpressure").isFalse();
        assertThat(n0.sendRegardlessOfBackpressure("n1", advert)).isTrue();
        assertThat(n0.sendRegardlessOfBackpressure("n9", advert)).as("no such link").isFalse();

        LocalCluster.await(() -> arrived.size() == 1, Duration.ofSeconds(5), arrived::toString);
      } finally {
        channel.eventLoop().submit(() ->
            channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true)).get();
      }
    }
  }

  @Test
  void sendControl_aboveHighWaterMark_stillWritesAndFlushes() {
    // What MeshLinks.sendRegardlessOfBackpressure relies on for routing adverts.
    EmbeddedChannel channel = new EmbeddedChannel();
    AtomicInteger refusals = new AtomicInteger();
    Link link = new Link("n1", "spiffe://t/node/n1", "127.0.0.1:1", channel, true, 0,
        refusals::incrementAndGet);
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);

    link.sendControl(new Frame.Opaque(FrameType.LINK_STATE_ADVERT, new byte[] {1, 2, 3}));

    assertThat(channel.outboundMessages()).hasSize(1);
    assertThat(refusals).hasValue(0);
    channel.finishAndReleaseAll();
  }

  @Test
  void trySend_aboveHighWaterMark_refusesAndCountsBackpressure() {
    EmbeddedChannel channel = new EmbeddedChannel();
    AtomicInteger refusals = new AtomicInteger();
    Link link = new Link("n1", "spiffe://t/node/n1", "127.0.0.1:1", channel, true, 0,
        refusals::incrementAndGet);
    Frame heartbeat = new Frame.Heartbeat(1, 2);

    assertThat(link.trySend(heartbeat)).isTrue();
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    assertThat(link.trySend(heartbeat)).isFalse();
    assertThat(refusals).hasValue(1);

    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    assertThat(link.trySend(heartbeat)).isTrue();
    channel.runPendingTasks(); // the batched flush
    assertThat(channel.outboundMessages()).hasSize(2);
    channel.finishAndReleaseAll();
  }

  @Test
  void trySend_severalFramesInOneTask_flushedOnceAfterItOrEverySixtyFourFrames() throws Exception {
    // A real event loop (EmbeddedChannel runs queued tasks inside writes, hiding the batching).
    io.netty.channel.DefaultEventLoopGroup group = new io.netty.channel.DefaultEventLoopGroup(1);
    try {
      io.netty.channel.local.LocalAddress address =
          new io.netty.channel.local.LocalAddress("link-flush-test");
      java.util.concurrent.atomic.AtomicInteger received = new AtomicInteger();
      io.netty.channel.Channel server = new io.netty.bootstrap.ServerBootstrap().group(group)
          .channel(io.netty.channel.local.LocalServerChannel.class)
          .childHandler(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
              received.incrementAndGet();
            }
          })
          .bind(address).sync().channel();
      AtomicInteger flushes = new AtomicInteger();
      io.netty.channel.Channel channel = new io.netty.bootstrap.Bootstrap().group(group)
          .channel(io.netty.channel.local.LocalChannel.class)
          .handler(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(io.netty.channel.ChannelHandlerContext ctx) {
              flushes.incrementAndGet();
              ctx.flush();
            }
          })
          .connect(address).sync().channel();
      Link link = new Link("n1", "spiffe://t/node/n1", "local", channel, true, 0, () -> { });
      Frame heartbeat = new Frame.Heartbeat(1, 2);

      int inTask = channel.eventLoop().submit(() -> {
        for (int i = 0; i < 3; i++) {
          link.trySend(heartbeat);
        }
        return flushes.get();
      }).get(5, java.util.concurrent.TimeUnit.SECONDS);
      channel.eventLoop().submit(() -> { }).get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(inTask).as("flushes inside the sending task").isZero();
      assertThat(flushes).as("one flush after the task").hasValue(1);

      int inLongTask = channel.eventLoop().submit(() -> {
        for (int i = 0; i < Link.FLUSH_AFTER_WRITES + 1; i++) {
          link.trySend(heartbeat);
        }
        return flushes.get();
      }).get(5, java.util.concurrent.TimeUnit.SECONDS);
      channel.eventLoop().submit(() -> { }).get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(inLongTask).as("a long task is flushed on its 64th frame").isEqualTo(2);
      assertThat(flushes).hasValue(3);
      LocalCluster.await(() -> received.get() == 3 + Link.FLUSH_AFTER_WRITES + 1,
          Duration.ofSeconds(5), () -> received + " frames received");
      channel.close().sync();
      server.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }
}
