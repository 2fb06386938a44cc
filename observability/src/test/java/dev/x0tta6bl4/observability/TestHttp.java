package dev.x0tta6bl4.observability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Loopback HTTP helpers for tests: a JDK client, a raw socket exchange, bounded polling. */
final class TestHttp {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();

  private TestHttp() {}

  static HttpResponse<String> get(InetSocketAddress server, String path, String... headers)
      throws IOException, InterruptedException {
    return send(server, "GET", path, headers);
  }

  static HttpResponse<String> send(InetSocketAddress server, String method, String path,
      String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(server, path))
            .timeout(TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static URI uri(InetSocketAddress server, String path) {
    return URI.create("http://" + server.getAddress().getHostAddress() + ":" + server.getPort()
        + path);
  }

  /** Writes {@code raw} on a fresh connection and reads until the server closes it. */
  static String exchangeRaw(InetSocketAddress server, String raw) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(server, (int) TIMEOUT.toMillis());
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) != -1; ) {
        out.write(buf, 0, n);
      }
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Polls {@code condition} until true or the deadline passes; returns the last result. */
  static boolean await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    return condition.getAsBoolean();
  }
}
