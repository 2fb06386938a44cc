package dev.x0tta6bl4.pqc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Watches the plaintext part of a TLS handshake on the wire and records what was negotiated:
 * ClientHello key shares, HelloRetryRequests and the ServerHello's group and version.
 * Bouncy Castle exposes no negotiated-group API, so this is how tests and metrics know a link
 * really used X25519MLKEM768. It works for any TLS provider.
 *
 * <p>Place it on the socket side of the {@code SslHandler} (added before it in the pipeline).
 * It never changes or holds the traffic: it copies at most {@code maxBytes} per direction,
 * stops reading a direction at its first encrypted or alert record, and gives up (recording
 * why) on anything malformed. One instance per channel; mutated only on the channel's event
 * loop; {@link #observation()} may be read from any thread. Removed with its channel.
 *
 * <pre>
 * record:    type(1) version(2) length(2) fragment(length)
 * handshake: msg_type(1) length(3) body(length)       (may span records)
 * </pre>
 */
public final class HandshakeInspector extends ChannelDuplexHandler {

  /** The default per-direction cap: far above a hybrid or ML-DSA handshake's plaintext. */
  public static final int DEFAULT_MAX_BYTES = 64 * 1024;

  private static final int MAX_RECORD = (1 << 14) + 256;
  private static final byte[] HRR_RANDOM = {
    (byte) 0xcf, 0x21, (byte) 0xad, 0x74, (byte) 0xe5, (byte) 0x9a, 0x61, 0x11,
    (byte) 0xbe, 0x1d, (byte) 0x8c, 0x02, 0x1e, 0x65, (byte) 0xb8, (byte) 0x91,
    (byte) 0xc2, (byte) 0xa2, 0x11, 0x16, 0x7a, (byte) 0xbb, (byte) 0x8c, 0x5e,
    0x07, (byte) 0x9e, 0x09, (byte) 0xe2, (byte) 0xc8, (byte) 0xa8, 0x33, (byte) 0x9c
  };

  private final int maxBytes;
  private final Direction inbound = new Direction();
  private final Direction outbound = new Direction();
  private volatile HandshakeObservation observation = HandshakeObservation.empty();
  private boolean abandoned;

  private int clientHellos;
  private int clientHelloBytes;
  private List<Integer> offered = List.of();
  private List<Integer> supported = List.of();
  private int retries;
  private OptionalInt selected = OptionalInt.empty();
  private OptionalInt version = OptionalInt.empty();
  private Optional<String> abandonReason = Optional.empty();

  public HandshakeInspector() {
    this(DEFAULT_MAX_BYTES);
  }

  public HandshakeInspector(int maxBytes) {
    if (maxBytes < 512 || maxBytes > 1 << 20) {
      throw new TlsSetupException("maxBytes " + maxBytes + " out of range, expected 512..1048576");
    }
    this.maxBytes = maxBytes;
  }

  /** What has been seen so far. */
  public HandshakeObservation observation() {
    return observation;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof ByteBuf) {
      observe(inbound, (ByteBuf) msg);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof ByteBuf) {
      observe(outbound, (ByteBuf) msg);
    }
    ctx.write(msg, promise);
  }

  /** Per-direction state: raw bytes not yet framed, handshake bytes not yet parsed. */
  private final class Direction {
    private byte[] raw = new byte[0];
    private byte[] handshake = new byte[0];
    private int seen;
    private boolean done;
  }

  private void observe(Direction d, ByteBuf buf) {
    if (abandoned || d.done || !buf.isReadable()) {
      return;
    }
    int n = buf.readableBytes();
    if ((long) d.seen + n > maxBytes) {
      abandon("handshake plaintext exceeded " + maxBytes + " bytes in one direction");
      return;
    }
    d.seen += n;
    byte[] chunk = new byte[n];
    buf.getBytes(buf.readerIndex(), chunk);
    d.raw = concat(d.raw, chunk);
    try {
      frameRecords(d);
    } catch (IndexOutOfBoundsException e) {
      abandon("malformed handshake message: " + e.getMessage());
    }
    publish();
  }

  private void frameRecords(Direction d) {
    int pos = 0;
    while (!d.done && !abandoned && d.raw.length - pos >= 5) {
      int type = d.raw[pos] & 0xff;
      int major = d.raw[pos + 1] & 0xff;
      int length = u16(d.raw, pos + 3);
      if (type < 20 || type > 23 || major != 3 || length > MAX_RECORD) {
        abandon(String.format("malformed TLS record header type=%d version=0x%02x%02x length=%d",
            type, major, d.raw[pos + 2] & 0xff, length));
        return;
      }
      if (d.raw.length - pos - 5 < length) {
        break;
      }
      if (type == 22) {
        d.handshake = concat(d.handshake, Arrays.copyOfRange(d.raw, pos + 5, pos + 5 + length));
        parseHandshake(d);
      } else if (type != 20) {
        d.done = true;
      }
      pos += 5 + length;
    }
    d.raw = d.done ? new byte[0] : Arrays.copyOfRange(d.raw, pos, d.raw.length);
  }

  private void parseHandshake(Direction d) {
    int pos = 0;
    while (d.handshake.length - pos >= 4) {
      int type = d.handshake[pos] & 0xff;
      int length = u24(d.handshake, pos + 1);
      if (d.handshake.length - pos - 4 < length) {
        break;
      }
      byte[] body = Arrays.copyOfRange(d.handshake, pos + 4, pos + 4 + length);
      if (type == 1) {
        onClientHello(body);
      } else if (type == 2) {
        onServerHello(body);
      }
      pos += 4 + length;
    }
    d.handshake = Arrays.copyOfRange(d.handshake, pos, d.handshake.length);
  }

  private void onClientHello(byte[] b) {
    clientHellos++;
    int p = 2 + 32;
    p += 1 + (b[p] & 0xff);
    p += 2 + u16(b, p);
    p += 1 + (b[p] & 0xff);
    List<Integer> shares = new ArrayList<>();
    List<Integer> groups = new ArrayList<>();
    if (p < b.length) {
      int end = p + 2 + u16(b, p);
      p += 2;
      while (p + 4 <= end) {
        int extType = u16(b, p);
        int extLen = u16(b, p + 2);
        int data = p + 4;
        if (extType == 51) {
          int q = data + 2;
          int sharesEnd = q + u16(b, data);
          while (q + 4 <= sharesEnd) {
            shares.add(u16(b, q));
            q += 4 + u16(b, q + 2);
          }
        } else if (extType == 10) {
          for (int q = data + 2; q + 2 <= data + 2 + u16(b, data); q += 2) {
            groups.add(u16(b, q));
          }
        }
        p = data + extLen;
      }
    }
    if (clientHellos == 1) {
      clientHelloBytes = b.length + 4;
      offered = shares;
      supported = groups;
    }
  }

  private void onServerHello(byte[] b) {
    boolean retry = Arrays.equals(Arrays.copyOfRange(b, 2, 34), HRR_RANDOM);
    int p = 2 + 32;
    p += 1 + (b[p] & 0xff);
    p += 2 + 1;
    OptionalInt group = OptionalInt.empty();
    OptionalInt ver = OptionalInt.of(u16(b, 0));
    if (p < b.length) {
      int end = p + 2 + u16(b, p);
      p += 2;
      while (p + 4 <= end) {
        int extType = u16(b, p);
        int extLen = u16(b, p + 2);
        if (extType == 51) {
          group = OptionalInt.of(u16(b, p + 4));
        } else if (extType == 43) {
          ver = OptionalInt.of(u16(b, p + 4));
        }
        p += 4 + extLen;
      }
    }
    if (retry) {
      retries++;
    } else {
      selected = group;
      version = ver;
    }
  }

  private void abandon(String reason) {
    abandoned = true;
    abandonReason = Optional.of(reason);
    inbound.raw = new byte[0];
    outbound.raw = new byte[0];
    inbound.handshake = new byte[0];
    outbound.handshake = new byte[0];
    publish();
  }

  private void publish() {
    observation = new HandshakeObservation(clientHellos, clientHelloBytes, offered, supported,
        retries, selected, version, abandonReason);
  }

  private static int u16(byte[] b, int i) {
    if (i + 2 > b.length) {
      throw new IndexOutOfBoundsException("field at " + i + " past end " + b.length);
    }
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  private static int u24(byte[] b, int i) {
    return ((b[i] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8) | (b[i + 2] & 0xff);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    if (a.length == 0) {
      return b;
    }
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
