package dev.x0tta6bl4.pqc;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Test harness: a TLS echo server on 127.0.0.1 and clients connecting to it, each channel with
 * a {@link HandshakeInspector} on the socket side of its {@link SslHandler}.
 */
final class TlsLoopback implements AutoCloseable {

  /** One side of a connection as the test sees it. */
  static final class Side {
    volatile Channel channel;
    volatile SslHandler ssl;
    volatile HandshakeInspector inspector;
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final Channel serverChannel;
  final BlockingQueue<Side> accepted = new LinkedBlockingQueue<>();

  TlsLoopback(TlsContextFactory serverTls) throws InterruptedException {
    serverChannel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    Side side = new Side();
                    side.channel = ch;
                    side.inspector = new HandshakeInspector();
                    side.ssl = serverTls.newServerHandler(ch.alloc());
                    // Socket side first: the inspector sees the raw TLS records.
                    ch.pipeline().addLast(side.inspector, side.ssl, new Echo());
                    accepted.add(side);
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  /** Connects with the client handler built by {@code sslFor} from the channel. */
  Side connect(Function<SocketChannel, SslHandler> sslFor) throws InterruptedException {
    Side side = new Side();
    new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                side.channel = ch;
                side.inspector = new HandshakeInspector();
                side.ssl = sslFor.apply(ch);
                ch.pipeline().addLast(side.inspector, side.ssl, new Collect(side));
              }
            })
        .connect(serverChannel.localAddress())
        .sync();
    return side;
  }

  Side connect(TlsContextFactory clientTls) throws InterruptedException {
    return connect(ch -> clientTls.newClientHandler(ch.alloc()));
  }

  Side nextAccepted() throws InterruptedException {
    Side side = accepted.poll(10, TimeUnit.SECONDS);
    if (side == null) {
      throw new AssertionError("server accepted no connection within 10 s");
    }
    return side;
  }

  /** Sends {@code text} and waits (bounded) for its echo. */
  static String roundTrip(Side client, String text) throws InterruptedException {
    client.channel.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    String echo = client.received.poll(10, TimeUnit.SECONDS);
    if (echo == null) {
      throw new AssertionError("no echo of '" + text + "' within 10 s");
    }
    return echo;
  }

  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static final class Echo extends SimpleChannelInboundHandler<ByteBuf> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
      ctx.writeAndFlush(msg.retainedDuplicate());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static final class Collect extends SimpleChannelInboundHandler<ByteBuf> {
    private final Side side;

    Collect(Side side) {
      this.side = side;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
      side.received.add(msg.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
