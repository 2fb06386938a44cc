package dev.x0tta6bl4.observability;

import io.micrometer.core.instrument.Timer;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes aggregated requests of one connection to handlers and writes their responses in request
 * order (HTTP/1.1 pipelining): one request is in flight at a time, later ones wait in a queue and
 * reading pauses meanwhile. One instance per channel; all state is owned by the channel's event
 * loop, handler completions hop back onto it.
 *
 * <p>An event-stream response ({@link HttpResponse#isEventStream()}) takes the connection over:
 * the head goes out with chunked encoding and {@code Connection: close}, a {@link
 * ChannelEventStream} is opened and handed to the handler, reading continues only to notice the
 * client leaving (later requests on the connection are discarded), writability changes resume
 * the stream's writes, and the connection closes when the stream ends.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(HttpRequestHandler.class);

  private final Router router;
  private final HttpServerMetrics metrics;
  private final int maxHeaderBytes;
  private final Set<ChannelEventStream> openStreams;
  private final long heartbeatMillis;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean busy;
  private ChannelEventStream stream;

  /** A request waiting for its turn; {@code action} runs the handler when dequeued. */
  private record Pending(
      String route,
      boolean head,
      boolean keepAlive,
      Supplier<CompletionStage<HttpResponse>> action,
      Timer.Sample sample) {}

  HttpRequestHandler(Router router, HttpServerMetrics metrics, int maxHeaderBytes,
      Set<ChannelEventStream> openStreams, long heartbeatMillis) {
    this.router = router;
    this.metrics = metrics;
    this.maxHeaderBytes = maxHeaderBytes;
    this.openStreams = openStreams;
    this.heartbeatMillis = heartbeatMillis;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
    if (stream != null) {
      LOG.debug("discarding a request sent on a connection that carries an event stream");
      return; // the connection closes when the stream ends; keep reading to notice the client go
    }
    Timer.Sample sample = metrics.start();
    DecoderResult result = msg.decoderResult();
    if (result.isFailure()) {
      HttpResponse error = decodeFailure(result.cause());
      queue.add(
          new Pending(Router.UNMATCHED, false, false,
              () -> CompletableFuture.completedFuture(error), sample));
    } else {
      queue.add(toPending(ctx, msg, sample));
    }
    if (busy) {
      ctx.channel().config().setAutoRead(false);
    }
    drain(ctx);
  }

  private Pending toPending(ChannelHandlerContext ctx, FullHttpRequest msg, Timer.Sample sample) {
    QueryStringDecoder uri = new QueryStringDecoder(msg.uri());
    HttpMethod method = msg.method();
    boolean keepAlive = HttpUtil.isKeepAlive(msg);
    boolean head = HttpMethod.HEAD.equals(method);
    Router.Resolution resolution = router.resolve(method, uri.path());
    if (resolution.handler() == null) {
      HttpResponse response =
          resolution.allow() == null
              ? HttpResponse.error(404, "not_found", "no route for path " + uri.path())
              : HttpResponse.error(
                      405, "method_not_allowed",
                      "method " + method + " not allowed for " + uri.path()
                          + "; allowed: " + resolution.allow())
                  .withHeader("allow", resolution.allow());
      return new Pending(resolution.route(), head, keepAlive,
          () -> CompletableFuture.completedFuture(response), sample);
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : msg.headers().names()) {
      headers.put(name, msg.headers().getAll(name));
    }
    byte[] body = new byte[msg.content().readableBytes()];
    msg.content().getBytes(msg.content().readerIndex(), body);
    HttpRequest request =
        new HttpRequest(method, uri.path(), uri.parameters(), headers, body,
            ctx.channel().remoteAddress());
    HttpHandler handler = resolution.handler();
    return new Pending(resolution.route(), head, keepAlive, () -> handler.handle(request), sample);
  }

  private HttpResponse decodeFailure(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponse.error(431, "header_too_large",
          "request headers exceed " + maxHeaderBytes + " bytes");
    }
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponse.error(414, "uri_too_long",
          "request line exceeds " + maxHeaderBytes + " bytes");
    }
    return HttpResponse.error(400, "bad_request", "malformed HTTP request: " + cause.getMessage());
  }

  private void drain(ChannelHandlerContext ctx) {
    if (busy) {
      return;
    }
    Pending next = queue.poll();
    if (next == null) {
      ctx.channel().config().setAutoRead(true);
      return;
    }
    busy = true;
    CompletionStage<HttpResponse> stage;
    try {
      stage = next.action().get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete(
        (response, error) -> {
          if (ctx.executor().inEventLoop()) {
            write(ctx, next, response, error);
          } else {
            ctx.executor().execute(() -> write(ctx, next, response, error));
          }
        });
  }

  private void write(ChannelHandlerContext ctx, Pending pending, HttpResponse response,
      Throwable error) {
    if (error != null || response == null) {
      LOG.warn("HTTP handler for route {} failed", pending.route(), error);
      response = HttpResponse.error(500, "internal_error", "internal error");
    }
    int status = response.status();
    if (!ctx.channel().isActive()) {
      metrics.record(pending.route(), status, pending.sample());
      return;
    }
    if (response.isEventStream() && !pending.head()) {
      startStream(ctx, pending, response);
      return;
    }
    byte[] body = response.body();
    FullHttpResponse out =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
            pending.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    response.headers().forEach((name, value) -> out.headers().set(name, value));
    out.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, response.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION,
            pending.keepAlive() ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(out)
        .addListener(
            (ChannelFutureListener) f -> {
              metrics.record(pending.route(), status, pending.sample());
              if (!pending.keepAlive() || !f.isSuccess()) {
                f.channel().close();
                return;
              }
              busy = false;
              drain(ctx);
            });
  }

  private void startStream(ChannelHandlerContext ctx, Pending pending, HttpResponse response) {
    io.netty.handler.codec.http.HttpResponse head =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(response.status()));
    response.headers().forEach((name, value) -> head.headers().set(name, value));
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, response.contentType())
        .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    queue.clear(); // requests pipelined behind a stream are never answered: the stream is last
    ChannelEventStream opened =
        new ChannelEventStream(ctx.channel(), response.stream().bufferEvents(), metrics,
            pending.route());
    stream = opened;
    openStreams.add(opened);
    opened.onClose(() -> openStreams.remove(opened));
    ctx.channel().config().setAutoRead(true);
    ctx.writeAndFlush(head)
        .addListener(
            (ChannelFutureListener) f -> {
              metrics.record(pending.route(), response.status(), pending.sample());
              if (!f.isSuccess()) {
                opened.abort();
                f.channel().close();
                return;
              }
              opened.startHeartbeat(heartbeatMillis);
              try {
                response.stream().onOpen().accept(opened);
              } catch (RuntimeException e) {
                LOG.warn("event stream handler for route {} failed; ending the stream",
                    pending.route(), e);
                opened.end();
              }
            });
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (stream != null && ctx.channel().isWritable()) {
      stream.drain();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    queue.clear();
    if (stream != null) {
      stream.abort();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("closing HTTP connection from {} after an error", ctx.channel().remoteAddress(),
        cause);
    ctx.close();
  }
}
