package dev.x0tta6bl4.node.transport;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.pqc.SpiffeId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-connection end of a mesh link: after TLS it learns the peer's node id from the
 * verified certificate, exchanges HELLO (checking that the HELLO matches the certificate and
 * that the protocol versions overlap), answers heartbeats on the spot (so RTT samples do not
 * include the manager's queue), and hands everything else to {@link MeshLinks}.
 *
 * <p>One instance per channel; runs on the channel's event loop. {@link MeshLinks} state is
 * touched only through its methods, which hop to the manager's own loop.
 */
final class LinkHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(LinkHandler.class);

  private final MeshLinks links;
  private final boolean outbound;
  private final String dialKey;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> helloTimeout;
  private String peerId;
  private String peerSpiffeId;
  private boolean helloReceived;
  private boolean goodbyeReceived;

  LinkHandler(MeshLinks links, boolean outbound, String dialKey) {
    this.links = links;
    this.outbound = outbound;
    this.dialKey = dialKey;
  }

  boolean outbound() {
    return outbound;
  }

  /** The dial target this outbound connection serves, or null when inbound. */
  String dialKey() {
    return dialKey;
  }

  /** The peer's node id, known once TLS completed; null before. */
  String peerId() {
    return peerId;
  }

  ChannelHandlerContext context() {
    return ctx;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    long timeout = links.settings().helloTimeout().toNanos();
    helloTimeout =
        ctx.executor()
            .schedule(
                () -> {
                  if (!helloReceived) {
                    goodbye(GoodbyeReason.HANDSHAKE_TIMEOUT,
                        "no TLS handshake and HELLO within " + links.settings().helloTimeout());
                  }
                },
                timeout,
                TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof SslHandshakeCompletionEvent completion) {
      if (completion.isSuccess()) {
        onTlsEstablished(ctx);
      } else {
        links.onHandshakeFailed(this, completion.cause());
        ctx.close();
      }
    }
    ctx.fireUserEventTriggered(event);
  }

  private void onTlsEstablished(ChannelHandlerContext ctx) {
    SpiffeId peer;
    try {
      peer = peerIdentity(ctx);
    } catch (CertificateParsingException | IllegalArgumentException e) {
      goodbye(GoodbyeReason.IDENTITY_MISMATCH, "peer certificate is not a node SVID: " + e.getMessage());
      return;
    }
    if (peer.nodeId().isEmpty()) {
      goodbye(GoodbyeReason.IDENTITY_MISMATCH, "SPIFFE ID " + peer + " is not a node identity");
      return;
    }
    peerId = peer.nodeId().get();
    peerSpiffeId = peer.toUri();
    if (peerId.equals(links.localNodeId())) {
      goodbye(GoodbyeReason.IDENTITY_MISMATCH, "connected to itself");
      return;
    }
    Optional<MeshLinks.Refusal> refusal = links.refusalOf(peerId);
    if (refusal.isPresent()) { // before our HELLO, so the refused peer never counts a link
      goodbye(refusal.get().reason(), refusal.get().detail());
      return;
    }
    links.installFaults(this);
    ctx.writeAndFlush(links.localHello());
    links.onTlsEstablished(this);
  }

  private static SpiffeId peerIdentity(ChannelHandlerContext ctx) throws CertificateParsingException {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    Certificate[] chain;
    try {
      chain = ssl.engine().getSession().getPeerCertificates();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      throw new IllegalArgumentException("no verified peer certificate");
    }
    X509Certificate leaf = (X509Certificate) chain[0];
    if (leaf.getSubjectAlternativeNames() != null) {
      for (List<?> san : leaf.getSubjectAlternativeNames()) {
        if (((Integer) san.get(0)) == 6) {
          return SpiffeId.parse((String) san.get(1));
        }
      }
    }
    throw new IllegalArgumentException("no URI SAN");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Frame frame)) {
      io.netty.util.ReferenceCountUtil.release(msg);
      return;
    }
    if (goodbyeReceived) {
      return;
    }
    if (frame instanceof Frame.Goodbye goodbye) {
      goodbyeReceived = true;
      links.onGoodbye(this, goodbye);
      ctx.close();
      return;
    }
    if (!helloReceived) {
      onHello(frame);
      return;
    }
    if (frame instanceof Frame.Hello) {
      goodbye(GoodbyeReason.PROTOCOL_ERROR, "second HELLO on an established link");
      return;
    }
    if (frame instanceof Frame.Heartbeat heartbeat) {
      // Answered here, on the channel's own loop, so the RTT excludes the manager's queue.
      ctx.writeAndFlush(
          new Frame.HeartbeatAck(
              heartbeat.sequence(), heartbeat.senderTimeNanos(), links.wallClockMillis()),
          ctx.voidPromise());
    }
    links.onFrame(this, frame);
  }

  private void onHello(Frame frame) {
    if (peerId == null) {
      goodbye(GoodbyeReason.PROTOCOL_ERROR, frame.type() + " before the TLS handshake completed");
      return;
    }
    if (!(frame instanceof Frame.Hello hello)) {
      goodbye(GoodbyeReason.PROTOCOL_ERROR, "expected HELLO first, got " + frame.type());
      return;
    }
    if (!hello.nodeId().equals(peerId) || !hello.spiffeId().equals(peerSpiffeId)) {
      goodbye(GoodbyeReason.IDENTITY_MISMATCH,
          "HELLO says " + hello.nodeId() + " / " + hello.spiffeId()
              + " but the certificate says " + peerSpiffeId);
      return;
    }
    if (hello.maxVersion() < FrameFormat.PROTOCOL_VERSION
        || hello.minVersion() > FrameFormat.PROTOCOL_VERSION) {
      goodbye(GoodbyeReason.UNSUPPORTED_VERSION,
          "peer speaks versions " + hello.minVersion() + ".." + hello.maxVersion()
              + ", this node speaks " + FrameFormat.PROTOCOL_VERSION);
      return;
    }
    helloReceived = true;
    if (helloTimeout != null) {
      helloTimeout.cancel(false);
    }
    links.onHello(this, hello);
  }

  /** Sends GOODBYE with a reason, then closes; the peer learns why it was dropped. */
  void goodbye(GoodbyeReason reason, String detail) {
    log.info(
        "closing mesh connection {} {} {} {}",
        kv("peer", peerId == null ? "unknown" : peerId),
        kv("remote", String.valueOf(ctx.channel().remoteAddress())),
        kv("reason", reason.name()),
        kv("detail", detail));
    links.onLocalGoodbye(this, reason);
    ctx.writeAndFlush(Frame.Goodbye.of(reason, detail))
        .addListener(f -> ctx.close());
    ctx.executor().schedule(() -> ctx.close(), 1, TimeUnit.SECONDS);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (helloTimeout != null) {
      helloTimeout.cancel(false);
    }
    links.onChannelClosed(this);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof FrameDecodingException) {
        ctx.fireExceptionCaught(cause); // ProtocolErrorHandler sends the GOODBYE and closes
        return;
      }
    }
    // I/O errors and TLS failures: the handshake event or channelInactive reports them.
    log.debug("mesh connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
