package dev.x0tta6bl4.load;

import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.TlsContextFactory;
import dev.x0tta6bl4.pqc.TlsSettings;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One full mutual TLS 1.3 handshake between two in-memory engines (no sockets) over the split
 * BCJSSE with Ed25519 SVIDs and PKIX peer verification: hybrid X25519MLKEM768 against classical
 * x25519 in the same run. Goal: hybrid p50 at most 1.3x classical.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandshakeBenchmark {

  @Param({"X25519MLKEM768", "x25519"})
  public String group;

  private TlsContextFactory server;
  private TlsContextFactory client;

  @Setup
  public void setUp() throws Exception {
    CryptoProviders providers = CryptoProviders.install();
    BenchPki pki = new BenchPki("Ed25519");
    TlsSettings settings = TlsSettings.builder().allowClassicalKeyExchange(true).build();
    server = new TlsContextFactory(providers, BenchPki.fixed(pki.issue("server")), pki.verifier(), settings);
    client = new TlsContextFactory(providers, BenchPki.fixed(pki.issue("client")), pki.verifier(), settings);
  }

  @Benchmark
  public String handshake() throws SSLException {
    return handshake(client, server, group);
  }

  /** One full handshake between fresh engines, the client offering only {@code group}. */
  static String handshake(TlsContextFactory client, TlsContextFactory server, String group)
      throws SSLException {
    SSLEngine c = client.newClientEngine(ByteBufAllocator.DEFAULT);
    SSLEngine s = server.newServerEngine(ByteBufAllocator.DEFAULT);
    BCSSLParameters p = ((BCSSLEngine) c).getParameters();
    p.setNamedGroups(new String[] {group});
    p.setEarlyKeyShares(new String[] {group});
    ((BCSSLEngine) c).setParameters(p);
    return InMemoryTls.handshake(c, s);
  }

  /** Drives two engines through a handshake with heap buffers. */
  static final class InMemoryTls {
    private InMemoryTls() {}

    static String handshake(SSLEngine client, SSLEngine server) throws SSLException {
      int packet = Math.max(client.getSession().getPacketBufferSize(), 64 * 1024);
      ByteBuffer c2s = ByteBuffer.allocate(packet);
      ByteBuffer s2c = ByteBuffer.allocate(packet);
      ByteBuffer app = ByteBuffer.allocate(64 * 1024);
      ByteBuffer empty = ByteBuffer.allocate(0);
      client.beginHandshake();
      server.beginHandshake();
      for (int step = 0; step < 200; step++) {
        boolean cDone = done(client);
        boolean sDone = done(server);
        if (cDone && sDone && c2s.position() == 0 && s2c.position() == 0) {
          return client.getSession().getCipherSuite();
        }
        drive(client, c2s, s2c, app, empty);
        drive(server, s2c, c2s, app, empty);
      }
      throw new SSLException("handshake did not finish in 200 steps");
    }

    private static boolean done(SSLEngine e) {
      HandshakeStatus hs = e.getHandshakeStatus();
      return hs == HandshakeStatus.FINISHED || hs == HandshakeStatus.NOT_HANDSHAKING;
    }

    private static void drive(SSLEngine e, ByteBuffer out, ByteBuffer in, ByteBuffer app,
        ByteBuffer empty) throws SSLException {
      for (int i = 0; i < 50; i++) {
        HandshakeStatus hs = e.getHandshakeStatus();
        if (hs == HandshakeStatus.NEED_TASK) {
          Runnable task;
          while ((task = e.getDelegatedTask()) != null) {
            task.run();
          }
        } else if (hs == HandshakeStatus.NEED_WRAP) {
          SSLEngineResult r = e.wrap(empty, out);
          if (r.bytesProduced() == 0 && r.getStatus() != SSLEngineResult.Status.OK) {
            return;
          }
        } else if (hs == HandshakeStatus.NEED_UNWRAP) {
          in.flip();
          SSLEngineResult r = e.unwrap(in, app);
          in.compact();
          app.clear();
          if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || r.bytesConsumed() == 0) {
            return;
          }
        } else {
          return;
        }
      }
    }
  }
}
