package dev.x0tta6bl4.consensus;

import dev.x0tta6bl4.pqc.HandshakeInspector;
import dev.x0tta6bl4.pqc.HandshakeObservation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 in front of one Raft port that copies bytes both ways and shows the
 * first 64 KiB of each direction to a pqc {@link HandshakeInspector} (in an
 * {@link EmbeddedChannel}, as if it sat on the server's socket side of the TLS handler), so a
 * test sees what Ratis' shaded gRPC really negotiated on the wire: TLS version, the ServerHello's
 * key-exchange group, HelloRetryRequests. Threads per connection, all daemon; closes every socket
 * it opened.
 */
final class TlsRelay implements AutoCloseable {
  private static final int OBSERVED_BYTES = 64 * 1024;

  private final ServerSocket listener;
  private final int targetPort;
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  TlsRelay(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "tls-relay-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** What each relayed connection's handshake showed, in accept order. */
  List<HandshakeObservation> observations() {
    List<HandshakeObservation> out = new ArrayList<>();
    for (Connection c : connections) {
      out.add(c.inspector.observation());
    }
    return out;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        sockets.add(client);
        sockets.add(server);
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
        Connection c = new Connection();
        connections.add(c);
        pump(client, server, c, true);
        pump(server, client, c, false);
      } catch (IOException e) {
        if (!closed) {
          System.err.println("tls relay to port " + targetPort + ": " + e);
        }
      }
    }
  }

  private void pump(Socket from, Socket to, Connection c, boolean towardServer) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      long observed = 0;
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
          out.flush();
          if (observed < OBSERVED_BYTES) {
            observed += n;
            c.observe(buf, n, towardServer);
          }
        }
      } catch (IOException e) {
        // the other side closed: fall through and close both
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tls-relay-" + (towardServer ? "c2s-" : "s2c-") + port());
    t.setDaemon(true);
    t.start();
  }

  /** One relayed connection: the inspector sees client bytes as inbound, server bytes outbound. */
  private static final class Connection {
    final HandshakeInspector inspector = new HandshakeInspector();
    final EmbeddedChannel channel = new EmbeddedChannel(inspector);

    synchronized void observe(byte[] bytes, int length, boolean fromClient) {
      ByteBuf copy = Unpooled.copiedBuffer(bytes, 0, length);
      if (fromClient) {
        channel.writeInbound(copy);
      } else {
        channel.writeOutbound(copy);
      }
      for (Object m; (m = channel.readInbound()) != null; ) {
        ReferenceCountUtil.release(m);
      }
      for (Object m; (m = channel.readOutbound()) != null; ) {
        ReferenceCountUtil.release(m);
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
    sockets.forEach(TlsRelay::closeQuietly);
    for (Connection c : connections) {
      synchronized (c) {
        c.channel.finishAndReleaseAll();
      }
    }
  }
}
