package dev.x0tta6bl4.load;

import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.TlsContextFactory;
import dev.x0tta6bl4.pqc.TlsSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The yardstick for the mesh figures: one loopback TLS 1.3 connection built from the same
 * {@link TlsContextFactory} as a mesh link (split BCJSSE, hybrid X25519MLKEM768, SunJCE
 * AES-GCM), carrying the same 256-byte messages one way with batched writes (a flush every
 * {@value #FLUSH_EVERY} messages, at most {@value #IN_FLIGHT} messages written and not yet
 * received), on a two-thread Netty NIO group as in {@code BulkThroughputBenchmark}. No framing,
 * no routing, no acknowledgements: what the bytes cost on this machine, in this run.
 *
 * <p>Used from one thread; {@link #close} releases the connection and its threads.
 */
final class RawTlsBaseline implements AutoCloseable {
  static final int FLUSH_EVERY = BulkThroughputBenchmark.FLUSH_EVERY;
  static final int IN_FLIGHT = 8192;
  static final String THREAD_PREFIX = "raw-tls";

  private final int messageBytes;
  private final EventLoopGroup group;
  private final Channel server;
  private final Channel client;
  private final ByteBuf template;
  private final AtomicLong receivedBytes = new AtomicLong();

  RawTlsBaseline(int messageBytes) throws Exception {
    this.messageBytes = messageBytes;
    CryptoProviders providers = CryptoProviders.install();
    BenchPki pki = new BenchPki("Ed25519");
    TlsContextFactory serverTls = new TlsContextFactory(providers,
        BenchPki.fixed(pki.issue("server")), pki.verifier(), TlsSettings.defaults());
    TlsContextFactory clientTls = new TlsContextFactory(providers,
        BenchPki.fixed(pki.issue("client")), pki.verifier(), TlsSettings.defaults());
    group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory(THREAD_PREFIX, true),
        NioIoHandler.newFactory());
    try {
      server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(BulkThroughputBenchmark.init(ch -> serverTls.newServerHandler(ch.alloc()),
              new Counter(receivedBytes)))
          .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
      SslHandler[] clientSsl = new SslHandler[1];
      client = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .handler(BulkThroughputBenchmark.init(
              ch -> clientSsl[0] = clientTls.newClientHandler(ch.alloc()),
              new ChannelInboundHandlerAdapter()))
          .connect(server.localAddress()).sync().channel();
      clientSsl[0].handshakeFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
    template = PooledByteBufAllocator.DEFAULT.directBuffer(messageBytes).writeZero(messageBytes);
  }

  /**
   * Sends messages for {@code duration} (after {@code warmup}) and returns messages received per
   * second during the measured part; stops early after {@code maxMessages}.
   */
  Result run(Duration warmup, Duration duration, long maxMessages) throws InterruptedException {
    sendFor(warmup.toNanos(), maxMessages);
    long startBytes = receivedBytes.get();
    long startCpu = ThreadCpu.nanos(THREAD_PREFIX);
    long start = System.nanoTime();
    sendFor(duration.toNanos(), maxMessages);
    long elapsed = System.nanoTime() - start;
    long cpu = ThreadCpu.nanos(THREAD_PREFIX) - startCpu;
    double messages = (receivedBytes.get() - startBytes) / (double) messageBytes;
    return new Result(messages * 1e9 / elapsed, cpu / 1e3 / messages);
  }

  /**
   * @param perSecond messages received per second of wall time
   * @param cpuMicrosPerMessage CPU time of both ends' event loops per message, microseconds
   */
  record Result(double perSecond, double cpuMicrosPerMessage) {}

  /** Keeps at most {@value #IN_FLIGHT} messages unreceived; returns when time or count is up. */
  private void sendFor(long nanos, long maxMessages) throws InterruptedException {
    long end = System.nanoTime() + nanos;
    long sent = receivedBytes.get() / messageBytes;
    long limit = sent + maxMessages;
    while (System.nanoTime() < end && sent < limit) {
      long received = receivedBytes.get() / messageBytes;
      int batch = (int) Math.min(IN_FLIGHT - (sent - received), limit - sent);
      if (batch < FLUSH_EVERY) {
        TimeUnit.MICROSECONDS.sleep(50); // pacing a load generator, not waiting for a condition
        continue;
      }
      sent += batch;
      BulkThroughputBenchmark.writeBatch(client, template, batch);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (receivedBytes.get() / messageBytes < sent && System.nanoTime() < deadline) {
      TimeUnit.MICROSECONDS.sleep(100);
    }
  }

  @Override
  public void close() {
    template.release();
    client.close().syncUninterruptibly();
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Counts plaintext bytes received. */
  @ChannelHandler.Sharable
  private static final class Counter extends ChannelInboundHandlerAdapter {
    private final AtomicLong bytes;

    Counter(AtomicLong bytes) {
      this.bytes = bytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      bytes.addAndGet(buf.readableBytes());
      buf.release();
    }
  }
}
