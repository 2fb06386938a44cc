package dev.x0tta6bl4.load;

import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.TlsContextFactory;
import dev.x0tta6bl4.pqc.TlsSettings;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * Hybrid against classical handshake cost as a <i>paired</i> measurement: handshakes of the two
 * groups alternate one by one in the same thread, so a change of load on a shared machine hits
 * both alike, and the result is the median of the per-pair ratios (plus each group's median).
 * JMH runs the groups one after the other, minutes apart, and on a busy 2-core machine their
 * ratio then measures the neighbours more than the crypto. Time is the thread's CPU time (both
 * engines and their delegated tasks run in this one thread), so waiting for a core while the
 * neighbours run is not counted; caches shared with them still are.
 *
 * <p>Run: {@code java -cp load-tests/target/benchmarks.jar dev.x0tta6bl4.load.HandshakeRatio
 * [pairs]} (default 400 pairs after 100 warm-up pairs; bounded).
 */
public final class HandshakeRatio {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private HandshakeRatio() {}

  public static void main(String[] args) throws Exception {
    if (!CPU.isCurrentThreadCpuTimeSupported()) {
      throw new IllegalStateException("this JVM cannot measure thread CPU time");
    }
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    if (pairs < 10 || pairs > 100_000) {
      throw new IllegalArgumentException("pairs " + pairs + " is out of range; allowed: 10..100000");
    }
    CryptoProviders providers = CryptoProviders.install();
    BenchPki pki = new BenchPki("Ed25519");
    TlsSettings settings = TlsSettings.builder().allowClassicalKeyExchange(true).build();
    TlsContextFactory server =
        new TlsContextFactory(providers, BenchPki.fixed(pki.issue("server")), pki.verifier(), settings);
    TlsContextFactory client =
        new TlsContextFactory(providers, BenchPki.fixed(pki.issue("client")), pki.verifier(), settings);
    for (int i = 0; i < 100; i++) {
      time(client, server, "X25519MLKEM768");
      time(client, server, "x25519");
    }
    long[] hybrid = new long[pairs];
    long[] classical = new long[pairs];
    double[] ratio = new double[pairs];
    for (int i = 0; i < pairs; i++) {
      // Alternate which goes first so neither always runs on a warmer cache.
      if ((i & 1) == 0) {
        hybrid[i] = time(client, server, "X25519MLKEM768");
        classical[i] = time(client, server, "x25519");
      } else {
        classical[i] = time(client, server, "x25519");
        hybrid[i] = time(client, server, "X25519MLKEM768");
      }
      ratio[i] = (double) hybrid[i] / classical[i];
    }
    Arrays.sort(hybrid);
    Arrays.sort(classical);
    Arrays.sort(ratio);
    System.out.printf(Locale.ROOT,
        "pairs %d, thread CPU time: hybrid X25519MLKEM768 p50 %.0f us, classical x25519 p50 %.0f us,"
            + " median of paired ratios %.3f (p25 %.3f, p75 %.3f)%n",
        pairs, hybrid[pairs / 2] / 1e3, classical[pairs / 2] / 1e3, ratio[pairs / 2],
        ratio[pairs / 4], ratio[pairs * 3 / 4]);
  }

  private static long time(TlsContextFactory client, TlsContextFactory server, String group)
      throws Exception {
    long start = CPU.getCurrentThreadCpuTime();
    HandshakeBenchmark.handshake(client, server, group);
    return CPU.getCurrentThreadCpuTime() - start;
  }
}
