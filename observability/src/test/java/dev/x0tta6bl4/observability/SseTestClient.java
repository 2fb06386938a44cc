package dev.x0tta6bl4.observability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw-socket HTTP/1.1 client for event streams in tests: sends one GET, reads the head, then
 * decodes the chunked body on a reader thread into lines. Disconnecting is a plain socket close,
 * so tests control exactly when the client goes away. Reading can be paused to play a slow
 * client (the reader thread starts only on {@link #startReading()}).
 */
final class SseTestClient implements AutoCloseable {
  /** Put on the line queue when the body ends with the final chunk. */
  static final String END = "<end of stream>";
  /** Put on the line queue when the connection closes without the final chunk. */
  static final String EOF = "<connection closed>";

  private final Socket socket;
  private final InputStream in;
  private final String head;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private Thread reader;

  private SseTestClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new java.io.BufferedInputStream(socket.getInputStream());
    this.head = readHead();
  }

  static SseTestClient open(InetSocketAddress server, String path) throws IOException {
    return open(server, "GET", path, 0);
  }

  /** Opens with a small receive buffer when {@code receiveBuffer > 0} (a slow client). */
  static SseTestClient open(InetSocketAddress server, String method, String path,
      int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(server, (int) TestHttp.TIMEOUT.toMillis());
    socket.setSoTimeout((int) TestHttp.TIMEOUT.toMillis() * 3);
    socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return new SseTestClient(socket);
  }

  /** The status line and headers. */
  String head() {
    return head;
  }

  SseTestClient startReading() {
    reader = new Thread(this::readBody, "sse-test-client");
    reader.setDaemon(true);
    reader.start();
    return this;
  }

  /** The next body line, waiting at most the test timeout; null if none came. */
  String nextLine() throws InterruptedException {
    return lines.poll(TestHttp.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Lines up to and including the first that matches, or fails after the test timeout. */
  List<String> readUntil(Predicate<String> last) throws InterruptedException {
    List<String> seen = new ArrayList<>();
    while (true) {
      String line = nextLine();
      if (line == null) {
        throw new AssertionError("no matching line within " + TestHttp.TIMEOUT + "; saw " + seen);
      }
      seen.add(line);
      if (last.test(line)) {
        return seen;
      }
    }
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in the response head: " + out);
      }
      out.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private void readBody() {
    StringBuilder partial = new StringBuilder();
    try {
      while (true) {
        String sizeLine = readLine();
        if (sizeLine == null) {
          lines.add(EOF);
          return;
        }
        int size = Integer.parseInt(sizeLine.trim(), 16);
        if (size == 0) {
          readLine();
          lines.add(END);
          return;
        }
        byte[] chunk = in.readNBytes(size);
        if (chunk.length < size) {
          lines.add(EOF);
          return;
        }
        readLine();
        partial.append(new String(chunk, StandardCharsets.UTF_8));
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
          lines.add(partial.substring(0, nl));
          partial.delete(0, nl + 1);
        }
      }
    } catch (IOException e) {
      lines.add(EOF);
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String line = out.toString(StandardCharsets.ISO_8859_1);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      }
      out.write(b);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
