package dev.x0tta6bl4.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** JDK HTTP client helpers for local API tests: JSON requests and an event-stream reader. */
final class ApiTestClient {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final ObjectMapper JSON = new ObjectMapper();
  /** Put on an event stream's line queue when the body ends. */
  static final String END = "<end of stream>";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();

  private final InetSocketAddress server;

  ApiTestClient(InetSocketAddress server) {
    this.server = server;
  }

  URI uri(String path) {
    return URI.create("http://" + server.getAddress().getHostAddress() + ":" + server.getPort()
        + path);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    } else {
      request.header("content-type", "application/json");
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Any method with a raw body (empty for none) and header name/value pairs; raw answer. */
  HttpResponse<byte[]> exchange(String method, String path, byte[] body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT)
        .method(method, body.length == 0 && !method.equals("PUT")
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static JsonNode json(byte[] body) throws IOException {
    return JSON.readTree(body);
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  /** The {@code error.code} of an error body. */
  static String errorCode(HttpResponse<String> response) throws IOException {
    return json(response).path("error").path("code").asText();
  }

  /** Opens an event stream; lines are read on a daemon thread. */
  EventStreamReader subscribe(String path) throws IOException, InterruptedException {
    HttpResponse<InputStream> response = CLIENT.send(
        HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    return new EventStreamReader(response);
  }

  /** Polls {@code condition} until true or the deadline passes. */
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

  /** The lines of one open event stream. */
  static final class EventStreamReader implements AutoCloseable {
    final HttpResponse<InputStream> response;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    EventStreamReader(HttpResponse<InputStream> response) {
      this.response = response;
      Thread reader = new Thread(this::read, "api-test-sse");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        // closed by the test or the server
      }
      lines.add(END);
    }

    /** Lines up to and including the first that starts with {@code prefix}. */
    List<String> readUntil(String prefix) throws InterruptedException {
      List<String> seen = new ArrayList<>();
      while (true) {
        String line = lines.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
          throw new AssertionError("no line starting with '" + prefix + "' within " + TIMEOUT
              + "; saw " + seen);
        }
        seen.add(line);
        if (line.startsWith(prefix)) {
          return seen;
        }
        if (line.equals(END)) {
          throw new AssertionError("stream ended before '" + prefix + "'; saw " + seen);
        }
      }
    }

    /** The data of the next event of type {@code type}, as JSON. */
    JsonNode nextEvent(String type) throws InterruptedException, IOException {
      readUntil("event: " + type);
      List<String> rest = readUntil("data: ");
      return JSON.readTree(rest.get(rest.size() - 1).substring("data: ".length()));
    }

    @Override
    public void close() throws IOException {
      response.body().close();
    }
  }
}
