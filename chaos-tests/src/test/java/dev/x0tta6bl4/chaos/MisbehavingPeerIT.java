package dev.x0tta6bl4.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.Topology;
import dev.x0tta6bl4.node.transport.Frame;
import dev.x0tta6bl4.node.transport.FrameDecoder;
import dev.x0tta6bl4.node.transport.FrameEncoder;
import dev.x0tta6bl4.node.transport.GoodbyeReason;
import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.IdentitySource;
import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.SvidValidator;
import dev.x0tta6bl4.pqc.TlsContextFactory;
import dev.x0tta6bl4.pqc.TlsSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer with a valid identity that sends garbage after TLS is told why (GOODBYE with the
 * decoding reason) and dropped; when it comes straight back it is refused for a while; the
 * node's other links are not disturbed.
 */
class MisbehavingPeerIT {
  @TempDir Path dir;
  private LocalCluster cluster;
  private EventLoopGroup clientLoop;

  @BeforeEach
  void start() {
    cluster = LocalCluster.start(dir, 3, Topology.FULL);
    clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void stop() {
    clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    cluster.close();
  }

  /** A TLS client with a valid mesh identity that records the frames it receives. */
  private final class RogueConnection {
    final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    final Channel channel;

    RogueConnection(TlsContextFactory tls) throws Exception {
      channel = new Bootstrap().group(clientLoop).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(tls.newClientHandler(ch.alloc()), new FrameDecoder(),
                  new SimpleChannelInboundHandler<Frame>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
                      frames.add(frame);
                    }
                  });
            }
          })
          .connect("127.0.0.1", cluster.node(0).meshAddress().port()).sync().channel();
      channel.pipeline().get(SslHandler.class).handshakeFuture().get(10, TimeUnit.SECONDS);
    }

    Frame.Goodbye awaitGoodbye() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        Frame frame = frames.poll(100, TimeUnit.MILLISECONDS);
        if (frame instanceof Frame.Goodbye goodbye) {
          return goodbye;
        }
      }
      throw new AssertionError("no GOODBYE within 10 s; got " + frames);
    }
  }

  private TlsContextFactory tlsFor(String nodeId) {
    NodeIdentity rogue = cluster.issueIdentity(nodeId);
    IdentitySource identity = new IdentitySource() {
      @Override
      public NodeIdentity current() {
        return rogue;
      }

      @Override
      public void onRotation(Consumer<NodeIdentity> listener) {}
    };
    return new TlsContextFactory(CryptoProviders.install(), identity,
        SvidValidator.builder(cluster.trustDomain()).trustBundle(rogue::trustBundle).build(),
        TlsSettings.defaults());
  }

  private Frame.Hello hello(String nodeId, int minVersion, int maxVersion) {
    return new Frame.Hello(nodeId, "spiffe://" + cluster.trustDomain() + "/node/" + nodeId,
        minVersion, maxVersion, 0L, "127.0.0.1:9", 1L);
  }

  @Test
  void helloClaimingAnotherNode_refusedAsIdentityMismatch() throws Exception {
    cluster.awaitTopology(Duration.ofSeconds(5));
    RogueConnection connection = new RogueConnection(tlsFor("mallory"));

    connection.channel.writeAndFlush(encode(hello("n1", 1, 1)));

    Frame.Goodbye goodbye = connection.awaitGoodbye();
    assertThat(goodbye.reason()).isEqualTo(GoodbyeReason.IDENTITY_MISMATCH);
    assertThat(goodbye.detail()).contains("n1").contains("spiffe://cluster.test/node/mallory");
    assertThat(cluster.node(0).links().currentLinks()).containsOnlyKeys("n1", "n2");
  }

  @Test
  void helloWithoutACommonProtocolVersion_refusedAsUnsupportedVersion() throws Exception {
    cluster.awaitTopology(Duration.ofSeconds(5));
    RogueConnection connection = new RogueConnection(tlsFor("future"));

    connection.channel.writeAndFlush(encode(hello("future", 2, 3)));

    Frame.Goodbye goodbye = connection.awaitGoodbye();
    assertThat(goodbye.reason()).isEqualTo(GoodbyeReason.UNSUPPORTED_VERSION);
    assertThat(goodbye.detail()).contains("2..3");
  }

  private static io.netty.buffer.ByteBuf encode(Frame frame) {
    io.netty.buffer.ByteBuf buf = Unpooled.buffer(FrameEncoder.encodedLength(frame));
    FrameEncoder.encode(frame, buf);
    return buf;
  }

  @Test
  void garbageAfterTls_goodbyeWithReason_thenReconnectBackedOff_othersUndisturbed() throws Exception {
    cluster.awaitTopology(Duration.ofSeconds(5));
    TlsContextFactory tls = tlsFor("rogue");

    RogueConnection first = new RogueConnection(tls);
    first.channel.writeAndFlush(Unpooled.copiedBuffer(
        "GET / HTTP/1.1\r\nHost: meshd\r\n\r\n", StandardCharsets.US_ASCII));
    Frame.Goodbye goodbye = first.awaitGoodbye();
    assertThat(goodbye.reason()).isEqualTo(GoodbyeReason.FRAME_TOO_LARGE);
    assertThat(goodbye.detail()).contains("length");
    assertThat(first.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();

    RogueConnection second = new RogueConnection(tls);
    Frame.Goodbye refused = second.awaitGoodbye();
    assertThat(refused.reason()).isEqualTo(GoodbyeReason.PROTOCOL_ERROR);
    assertThat(refused.detail()).contains("sent malformed data; refused for another");
    assertThat(second.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(cluster.establishedEdges()).containsExactlyInAnyOrder("n0|n1", "n0|n2", "n1|n2");
    assertThat(cluster.deaths()).isEmpty();
    PrometheusMeterRegistry registry =
        cluster.node(0).container().get(PrometheusMeterRegistry.class);
    assertThat(registry.get("meshd.link.decode.errors").tag("reason", "frame_too_large")
        .counter().count()).isEqualTo(1);
    // What the self-healing loop reads as evidence (peer.malformed_strikes).
    assertThat(cluster.node(0).links().malformedStrikes()).containsExactly(Map.entry("rogue", 1));
  }
}
