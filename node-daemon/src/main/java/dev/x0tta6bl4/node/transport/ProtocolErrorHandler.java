package dev.x0tta6bl4.node.transport;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last inbound handler of a mesh link pipeline: when a {@link FrameDecodingException}
 * arrives (directly or as the cause of another exception), it reports the reason to a
 * listener (decode-error metrics), logs one structured line, stops reading, writes a {@link
 * Frame.Goodbye} with {@link FrameDecodingException.Reason#goodbyeReason()} and the error
 * message as detail, and closes the channel once that write completes or fails, or after
 * {@code goodbyeTimeout} if it does not (a peer that stops reading cannot hold the link open).
 * Only the first error of a channel is acted on; later ones are logged at debug level. Other
 * exceptions are passed on unchanged.
 *
 * <p>One instance per channel (not sharable), used on that channel's event loop; the listener
 * is called there too and must not block. The channel's close releases everything.
 */
public final class ProtocolErrorHandler extends ChannelInboundHandlerAdapter {
  /** How long the GOODBYE write may take before the channel is closed anyway. */
  public static final Duration DEFAULT_GOODBYE_TIMEOUT = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(ProtocolErrorHandler.class);

  private final Consumer<FrameDecodingException.Reason> decodeErrors;
  private final long goodbyeTimeoutNanos;
  private boolean closing;

  /**
   * @param decodeErrors told the reason of each decoding error (e.g. to count it by reason)
   */
  public ProtocolErrorHandler(Consumer<FrameDecodingException.Reason> decodeErrors) {
    this(decodeErrors, DEFAULT_GOODBYE_TIMEOUT);
  }

  /**
   * @param decodeErrors told the reason of each decoding error (e.g. to count it by reason)
   * @param goodbyeTimeout how long the GOODBYE write may take before the channel is closed
   *     anyway; positive
   * @throws IllegalArgumentException if an argument is null or the timeout not positive
   */
  public ProtocolErrorHandler(
      Consumer<FrameDecodingException.Reason> decodeErrors, Duration goodbyeTimeout) {
    if (decodeErrors == null) {
      throw new IllegalArgumentException("decodeErrors must not be null");
    }
    if (goodbyeTimeout == null || goodbyeTimeout.isNegative() || goodbyeTimeout.isZero()) {
      throw new IllegalArgumentException(
          "goodbyeTimeout " + goodbyeTimeout + " is invalid; expected a positive duration");
    }
    this.decodeErrors = decodeErrors;
    this.goodbyeTimeoutNanos = goodbyeTimeout.toNanos();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Optional<FrameDecodingException> decoding = findDecodingException(cause);
    if (decoding.isEmpty()) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    FrameDecodingException error = decoding.get();
    if (closing) {
      LOG.debug("ignoring a further decoding error on {} while closing: {}",
          ctx.channel().remoteAddress(), error.getMessage());
      return;
    }
    closing = true;
    report(error.reason());
    LOG.warn(
        "closing link {} after a decoding error {} {}",
        kv("remote", String.valueOf(ctx.channel().remoteAddress())),
        kv("reason", error.reason()),
        kv("detail", error.getMessage()));
    ctx.channel().config().setAutoRead(false);
    var timeout = ctx.executor().schedule(
        () -> {
          LOG.debug("GOODBYE to {} not written within the timeout; closing",
              ctx.channel().remoteAddress());
          ctx.close();
        },
        goodbyeTimeoutNanos, TimeUnit.NANOSECONDS);
    Frame.Goodbye goodbye = Frame.Goodbye.of(error.reason().goodbyeReason(), error.getMessage());
    ctx.writeAndFlush(goodbye).addListener(done -> {
      timeout.cancel(false);
      ctx.close();
    });
  }

  /** The decoding exception in {@code cause}'s chain, if any (bounded walk). */
  static Optional<FrameDecodingException> findDecodingException(Throwable cause) {
    Throwable t = cause;
    for (int depth = 0; t != null && depth < 8; depth++) {
      if (t instanceof FrameDecodingException) {
        return Optional.of((FrameDecodingException) t);
      }
      t = t.getCause();
    }
    return Optional.empty();
  }

  private void report(FrameDecodingException.Reason reason) {
    try {
      decodeErrors.accept(Objects.requireNonNull(reason));
    } catch (RuntimeException e) {
      LOG.warn("decode error listener failed for reason {}", reason, e);
    }
  }
}
