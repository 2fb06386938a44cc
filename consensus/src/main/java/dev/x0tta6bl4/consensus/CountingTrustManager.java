package dev.x0tta6bl4.consensus;

import io.micrometer.core.instrument.Counter;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Passes every trust decision of the Raft port to the configured trust manager and counts the
 * refusals. Extends {@link X509ExtendedTrustManager} so that no JSSE provider wraps it with its
 * own host-name check: Raft peers are judged by SPIFFE ID, not by the address dialled. Runs on
 * gRPC event loops; stateless apart from the counters.
 */
final class CountingTrustManager extends X509ExtendedTrustManager {
  private final X509TrustManager delegate;
  private final RaftTlsMetrics metrics;
  private final Counter refusedClients;
  private final Counter refusedServers;

  CountingTrustManager(X509TrustManager delegate, RaftTlsMetrics metrics) {
    this.delegate = delegate;
    this.metrics = metrics;
    this.refusedClients = metrics.refusedClients;
    this.refusedServers = metrics.refusedServers;
  }

  private interface Check {
    void run() throws CertificateException;
  }

  private void counted(Counter refusals, Check check) throws CertificateException {
    try {
      check.run();
    } catch (CertificateException | RuntimeException e) {
      refusals.increment();
      metrics.refused(refusals == refusedClients ? "client" : "server", e.getMessage());
      throw e;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    counted(refusedClients, () -> {
      if (delegate instanceof X509ExtendedTrustManager x) {
        x.checkClientTrusted(chain, authType, engine);
      } else {
        delegate.checkClientTrusted(chain, authType);
      }
    });
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    counted(refusedServers, () -> {
      if (delegate instanceof X509ExtendedTrustManager x) {
        x.checkServerTrusted(chain, authType, engine);
      } else {
        delegate.checkServerTrusted(chain, authType);
      }
    });
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    counted(refusedClients, () -> delegate.checkClientTrusted(chain, authType));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    counted(refusedServers, () -> delegate.checkServerTrusted(chain, authType));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    counted(refusedClients, () -> delegate.checkClientTrusted(chain, authType));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    counted(refusedServers, () -> delegate.checkServerTrusted(chain, authType));
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
