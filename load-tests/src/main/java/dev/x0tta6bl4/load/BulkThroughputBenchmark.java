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
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.InetSocketAddress;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Bulk throughput of 256-byte messages over one loopback TLS 1.3 connection (Netty NIO, flush
 * every 64): the split BCJSSE of meshd (hybrid X25519MLKEM768, BC handshake crypto, SunJCE
 * AES-GCM) against the JDK's SunJSSE, in the same run. Score = messages/s. Goal: split at least
 * 80 % of SunJSSE.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BulkThroughputBenchmark {

  static final int MESSAGE = 256;
  static final int BATCH = 4096;
  static final int FLUSH_EVERY = 64;

  @Param({"split-bcjsse", "sunjsse"})
  public String provider;

  private EventLoopGroup group;
  private Channel server;
  private Channel client;
  private ByteBuf template;
  private final Semaphore delivered = new Semaphore(0);

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    Function<SocketChannel, SslHandler> serverSsl;
    Function<SocketChannel, SslHandler> clientSsl;
    if (provider.equals("split-bcjsse")) {
      CryptoProviders providers = CryptoProviders.install();
      BenchPki pki = new BenchPki("Ed25519");
      TlsContextFactory s = new TlsContextFactory(providers, BenchPki.fixed(pki.issue("server")),
          pki.verifier(), TlsSettings.defaults());
      TlsContextFactory c = new TlsContextFactory(providers, BenchPki.fixed(pki.issue("client")),
          pki.verifier(), TlsSettings.defaults());
      serverSsl = ch -> s.newServerHandler(ch.alloc());
      clientSsl = ch -> c.newClientHandler(ch.alloc());
    } else {
      SelfSignedCertificate serverCert = new SelfSignedCertificate("server", "EC", 256);
      SelfSignedCertificate clientCert = new SelfSignedCertificate("client", "EC", 256);
      SslContext s = SslContextBuilder.forServer(serverCert.certificate(), serverCert.privateKey())
          .sslProvider(SslProvider.JDK).protocols("TLSv1.3").ciphers(TlsSettings.CIPHER_SUITES)
          .clientAuth(ClientAuth.REQUIRE).trustManager(InsecureTrustManagerFactory.INSTANCE).build();
      SslContext c = SslContextBuilder.forClient()
          .keyManager(clientCert.certificate(), clientCert.privateKey())
          .sslProvider(SslProvider.JDK).protocols("TLSv1.3").ciphers(TlsSettings.CIPHER_SUITES)
          .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
      serverSsl = ch -> s.newHandler(ch.alloc());
      clientSsl = ch -> c.newHandler(ch.alloc());
    }
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(init(serverSsl, new Counter(delivered)))
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    SslHandler[] clientHandler = new SslHandler[1];
    client = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(init(ch -> {
          clientHandler[0] = clientSsl.apply(ch);
          return clientHandler[0];
        }, new ChannelInboundHandlerAdapter()))
        .connect(server.localAddress()).sync().channel();
    clientHandler[0].handshakeFuture().get(10, TimeUnit.SECONDS);
    template = PooledByteBufAllocator.DEFAULT.directBuffer(MESSAGE).writeZero(MESSAGE);
  }

  /**
   * Writes {@code count} copies of {@code template} on {@code client}'s loop, flushing every
   * {@value #FLUSH_EVERY} and at the end (the write batching both raw TLS figures use).
   */
  static void writeBatch(Channel client, ByteBuf template, int count) {
    client.eventLoop().execute(() -> {
      for (int i = 1; i <= count; i++) {
        client.write(template.retainedDuplicate(), client.voidPromise());
        if (i % FLUSH_EVERY == 0) {
          client.flush();
        }
      }
      client.flush();
    });
  }

  /** A pipeline of the TLS handler {@code ssl} makes for the channel, then {@code last}. */
  static ChannelInitializer<SocketChannel> init(
      Function<SocketChannel, SslHandler> ssl, ChannelHandler last) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast(ssl.apply(ch), last);
      }
    };
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void send256ByteMessages() throws InterruptedException {
    writeBatch(client, template, BATCH);
    if (!delivered.tryAcquire(BATCH, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("server did not receive " + BATCH + " messages in 60 s");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    template.release();
    client.close().syncUninterruptibly();
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Counts whole 256-byte messages received and releases one permit each. */
  @ChannelHandler.Sharable
  private static final class Counter extends ChannelInboundHandlerAdapter {
    private final Semaphore delivered;
    private long bytes;

    Counter(Semaphore delivered) {
      this.delivered = delivered;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      long before = bytes / MESSAGE;
      bytes += buf.readableBytes();
      buf.release();
      int whole = (int) (bytes / MESSAGE - before);
      if (whole > 0) {
        delivered.release(whole);
      }
    }
  }
}
