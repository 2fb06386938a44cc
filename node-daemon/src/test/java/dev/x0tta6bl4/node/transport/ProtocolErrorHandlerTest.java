package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.x0tta6bl4.node.transport.Frame.Goodbye;
import dev.x0tta6bl4.node.transport.FrameDecodingException.Reason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ProtocolErrorHandlerTest {
  private final TrackingAllocator alloc = new TrackingAllocator();
  private final List<Reason> counted = new ArrayList<>();
  private final List<EmbeddedChannel> channels = new ArrayList<>();
  private final Logger handlerLog = (Logger) LoggerFactory.getLogger(ProtocolErrorHandler.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeAll
  static void paranoidLeakDetection() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @BeforeEach
  void captureLog() {
    logged.start();
    handlerLog.addAppender(logged);
  }

  @AfterEach
  void releaseEverything() {
    handlerLog.detachAppender(logged);
    for (EmbeddedChannel channel : channels) {
      channel.finishAndReleaseAll();
    }
    alloc.assertAllReleased();
  }

  @Test
  void garbage_unknownVersion_sendsGoodbyeWithTheReasonAndCloses() {
    EmbeddedChannel link = link(new ProtocolErrorHandler(counted::add));
    link.writeInbound(Frames.hex(alloc, "00000014" + "07030000"));

    Goodbye goodbye = onlyGoodbye(link);
    assertThat(goodbye.reason()).isEqualTo(GoodbyeReason.UNSUPPORTED_VERSION);
    assertThat(goodbye.detail()).contains("protocol version 7");
    assertThat(link.isOpen()).isFalse();
    assertThat(counted).containsExactly(Reason.UNSUPPORTED_VERSION);
  }

  @Test
  void garbage_eachMalformedKind_sendsTheMappedGoodbyeReason() {
    String[][] cases = {
      {"ffffffff", "FRAME_TOO_LARGE"},
      {"00000014" + "017f0000", "UNKNOWN_FRAME_TYPE"},
      {"00000014" + "01030001", "UNKNOWN_FLAGS"},
      {"00000003", "TRUNCATED_FRAME"},
      {"00000011" + "01050000" + "0000000000000007" + "000161" + "beef", "TRAILING_BYTES"},
      {"00000018" + "01050000" + "0000000000000007" + "0040" + "61".repeat(10),
          "FIELD_TOO_LONG"},
      {"00000009" + "01020000" + "0000" + "0001" + "ff", "INVALID_UTF8"},
      {"00000008" + "01020000" + "7777" + "0000", "INVALID_ENUM_VALUE"},
      {"00000010" + "01050000" + "0000000000000001" + "0002" + "4121", "MALFORMED_FRAME"},
    };
    for (String[] c : cases) {
      EmbeddedChannel link = link(new ProtocolErrorHandler(counted::add));
      link.writeInbound(Frames.hex(alloc, c[0]));
      assertThat(onlyGoodbye(link).reason()).as(c[0]).isEqualTo(GoodbyeReason.valueOf(c[1]));
      assertThat(link.isOpen()).as(c[0]).isFalse();
    }
    assertThat(counted).extracting(Reason::goodbyeReason).extracting(Enum::name)
        .containsExactly(java.util.Arrays.stream(cases).map(c -> c[1]).toArray(String[]::new));
  }

  @Test
  void exceptionCaught_decodingErrorWrappedInDecoderException_isHandled() {
    EmbeddedChannel link = link(new ProtocolErrorHandler(counted::add));
    link.pipeline().fireExceptionCaught(new DecoderException(
        new FrameDecodingException(Reason.TRAILING_BYTES, "test")));
    assertThat(onlyGoodbye(link).reason()).isEqualTo(GoodbyeReason.TRAILING_BYTES);
    assertThat(link.isOpen()).isFalse();
    link.checkException();
  }

  @Test
  void exceptionCaught_otherException_isPassedOnAndLinkStaysOpen() {
    EmbeddedChannel link = link(new ProtocolErrorHandler(counted::add));
    IOException io = new IOException("connection reset");
    link.pipeline().fireExceptionCaught(io);
    assertThat(catchThrowable(link::checkException)).isSameAs(io);
    assertThat(link.isOpen()).isTrue();
    assertThat(counted).isEmpty();
    assertThat(link.<Object>readOutbound()).isNull();
  }

  @Test
  void exceptionCaught_secondDecodingError_isIgnored() {
    EmbeddedChannel link = new EmbeddedChannel();
    link.config().setAllocator(alloc);
    link.pipeline().addLast(new BlackHole(), new FrameEncoder(),
        new ProtocolErrorHandler(counted::add));
    channels.add(link);
    link.pipeline().fireExceptionCaught(new FrameDecodingException(Reason.INVALID_UTF8, "one"));
    link.pipeline().fireExceptionCaught(new FrameDecodingException(Reason.INVALID_FIELD, "two"));
    assertThat(counted).containsExactly(Reason.INVALID_UTF8);
    link.checkException();
  }

  @Test
  void goodbyeWriteNeverCompletes_channelClosedAfterTheTimeout() {
    EmbeddedChannel link = new EmbeddedChannel();
    link.config().setAllocator(alloc);
    link.freezeTime();
    link.pipeline().addLast(new BlackHole(), new FrameEncoder(), new FrameDecoder(),
        new ProtocolErrorHandler(counted::add, Duration.ofMillis(500)));
    channels.add(link);
    link.writeInbound(Frames.hex(alloc, "ffffffff"));
    assertThat(link.isOpen()).isTrue();
    assertThat(link.config().isAutoRead()).as("reading stops at once").isFalse();

    link.advanceTimeBy(499, TimeUnit.MILLISECONDS);
    link.runScheduledPendingTasks();
    assertThat(link.isOpen()).isTrue();
    link.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    link.runScheduledPendingTasks();
    assertThat(link.isOpen()).isFalse();
  }

  @Test
  void decodingError_listenerThrows_goodbyeStillSentAndChannelClosed() {
    EmbeddedChannel link = link(new ProtocolErrorHandler(reason -> {
      throw new IllegalStateException("metrics down");
    }));
    link.writeInbound(Frames.hex(alloc, "ffffffff"));
    assertThat(onlyGoodbye(link).reason()).isEqualTo(GoodbyeReason.FRAME_TOO_LARGE);
    assertThat(link.isOpen()).isFalse();
  }

  @Test
  void decodingError_logsOneStructuredLineWithRemoteAndReason() {
    EmbeddedChannel link = link(new ProtocolErrorHandler(counted::add));
    link.writeInbound(Frames.hex(alloc, "ffffffff"));
    onlyGoodbye(link);
    List<ILoggingEvent> warnings = logged.list.stream()
        .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getFormattedMessage())
        .contains("remote=embedded")
        .contains("reason=FRAME_TOO_LARGE")
        .contains("frame length 4294967295");
  }

  @Test
  void constructor_nonPositiveTimeout_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ProtocolErrorHandler(counted::add, Duration.ZERO))
        .withMessageContaining("goodbyeTimeout PT0S");
    assertThatIllegalArgumentException().isThrownBy(() -> new ProtocolErrorHandler(null));
  }

  private EmbeddedChannel link(ProtocolErrorHandler handler) {
    EmbeddedChannel link =
        Frames.channel(alloc, new FrameEncoder(), new FrameDecoder(), handler);
    channels.add(link);
    return link;
  }

  /** Decodes what {@code link} wrote with a fresh decoder; it must be exactly one GOODBYE. */
  private Goodbye onlyGoodbye(EmbeddedChannel link) {
    EmbeddedChannel peer = Frames.channel(alloc, new FrameDecoder());
    channels.add(peer);
    peer.writeInbound(Frames.bytes(alloc, Frames.drainOutbound(link)));
    List<Frame> frames = Frames.readAllInbound(peer);
    assertThat(frames).hasSize(1).first().isInstanceOf(Goodbye.class);
    return (Goodbye) frames.get(0);
  }

  /** Swallows writes without completing them, like a peer that stopped reading. */
  private static final class BlackHole extends ChannelOutboundHandlerAdapter {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      ReferenceCountUtil.release(msg);
    }
  }
}
