package dev.x0tta6bl4.observability;

import io.micrometer.core.instrument.Timer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of every accepted HTTP connection. Order, from the socket inwards:
 *
 * <ol>
 *   <li>{@code idle}: fires an idle event (the request handler closes) when nothing was read or
 *       written for the idle timeout, so abandoned keep-alive connections do not pile up (an
 *       event stream's heartbeat counts as writing once the client has read it, so a client
 *       that stops reading is closed too);
 *   <li>{@code codec}: HTTP/1.1 parsing and encoding, request line and headers each limited to
 *       {@code maxHeaderBytes} (failures reach the handler as a failed decoder result: 414/431);
 *   <li>{@code aggregator}: joins the body, at most {@code maxBodyBytes} (else 413 and close);
 *   <li>{@code router}: {@link HttpRequestHandler}, one per connection.
 * </ol>
 *
 * Shared by all connections of one server; stateless apart from its immutable configuration.
 */
final class HttpChannelInitializer extends ChannelInitializer<Channel> {
  private final Router router;
  private final HttpServerMetrics metrics;
  private final ChannelGroup connections;
  private final int maxHeaderBytes;
  private final int maxBodyBytes;
  private final long idleTimeoutMillis;
  private final Set<ChannelEventStream> openStreams;
  private final long heartbeatMillis;

  HttpChannelInitializer(Router router, HttpServerMetrics metrics, ChannelGroup connections,
      int maxHeaderBytes, int maxBodyBytes, long idleTimeoutMillis,
      Set<ChannelEventStream> openStreams, long heartbeatMillis) {
    this.router = router;
    this.metrics = metrics;
    this.connections = connections;
    this.maxHeaderBytes = maxHeaderBytes;
    this.maxBodyBytes = maxBodyBytes;
    this.idleTimeoutMillis = idleTimeoutMillis;
    this.openStreams = openStreams;
    this.heartbeatMillis = heartbeatMillis;
  }

  @Override
  protected void initChannel(Channel ch) {
    connections.add(ch);
    HttpDecoderConfig decoderConfig =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(maxHeaderBytes)
            .setMaxHeaderSize(maxHeaderBytes);
    ch.pipeline()
        .addLast("idle", new IdleStateHandler(0, 0, idleTimeoutMillis, TimeUnit.MILLISECONDS))
        .addLast("codec", new HttpServerCodec(decoderConfig))
        .addLast("aggregator", new BodyLimitAggregator(maxBodyBytes, metrics))
        .addLast("router", new HttpRequestHandler(router, metrics, maxHeaderBytes, openStreams,
            heartbeatMillis));
  }

  /** Answers an oversized body with a JSON 413 and closes, since the rest cannot be parsed. */
  private static final class BodyLimitAggregator extends HttpObjectAggregator {
    private final int maxBodyBytes;
    private final HttpServerMetrics metrics;

    BodyLimitAggregator(int maxBodyBytes, HttpServerMetrics metrics) {
      super(maxBodyBytes);
      this.maxBodyBytes = maxBodyBytes;
      this.metrics = metrics;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      Timer.Sample sample = metrics.start();
      byte[] body =
          HttpResponse.error(413, "body_too_large",
                  "request body exceeds " + maxBodyBytes + " bytes")
              .body();
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
              HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
      response.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpResponse.JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response)
          .addListener(
              (ChannelFutureListener) f -> {
                metrics.record(Router.UNMATCHED, 413, sample);
                f.channel().close();
              });
    }
  }
}
