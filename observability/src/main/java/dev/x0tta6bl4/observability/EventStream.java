package dev.x0tta6bl4.observability;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The open body of a {@code text/event-stream} response (server-sent events), to which a
 * handler writes events for as long as the client stays connected. A handler answers with
 * {@link HttpResponse#eventStream(int, Consumer)}; the server sends the response head and then
 * hands the open stream to the handler's {@code onOpen} callback.
 *
 * <p><b>Threads.</b> Every method may be called from any thread and none blocks: {@link #send}
 * only queues the encoded event, the connection's event loop writes it.
 *
 * <p><b>Backpressure.</b> At most {@code bufferEvents} events wait to be written; the event loop
 * writes only while the socket is writable, so a slow client costs at most that many events plus
 * Netty's write buffer. When the buffer is full, {@link #send} drops the event, counts it ({@link
 * #droppedEvents()}, metric {@code meshd.http.stream.events{outcome="dropped"}}) and returns
 * false; the client is told by an event of type {@code dropped} with data {@code
 * {"dropped":N}} (N events lost since the previous such notice), written in order with the
 * other events at or before the point of the loss. A client that reads nothing at all is closed
 * by the server's idle timeout.
 *
 * <p><b>End.</b> The stream ends when the handler calls {@link #close()} (the server finishes the
 * chunked body and closes the connection), when the client disconnects, or when the server
 * closes; then the {@link #onClose} actions run once. The server also writes a comment line
 * every heartbeat interval, which keeps proxies from timing the connection out and finds dead
 * clients.
 */
public interface EventStream {

  /**
   * Queues {@code event} for the client.
   *
   * @return true if queued; false if the stream is closed or its buffer is full (the event is
   *     then dropped and counted)
   */
  boolean send(ServerSentEvent event);

  /** Ends the stream cleanly (final chunk, then the connection closes). Idempotent. */
  void close();

  /** Whether the stream still accepts events. */
  boolean isOpen();

  /**
   * Runs {@code action} once when the stream ends for any reason, or at once if it has ended.
   * Actions run on the thread that ends the stream and must not block.
   */
  void onClose(Runnable action);

  /** Events dropped because the buffer was full, since the stream opened. */
  long droppedEvents();

  /**
   * What a streaming response asks of the server.
   *
   * @param bufferEvents events that may wait to be written before {@link #send} drops, 1..1048576
   * @param onOpen called on the connection's event loop once the response head is written, with
   *     the open stream; not called if the client went away first or for HEAD requests; must not
   *     block
   */
  record Spec(int bufferEvents, Consumer<EventStream> onOpen) {
    /** Validates the fields. */
    public Spec {
      if (bufferEvents < 1 || bufferEvents > 1 << 20) {
        throw new ObservabilityException(
            "bufferEvents " + bufferEvents + " is invalid: expected 1 to 1048576");
      }
      Objects.requireNonNull(onOpen, "onOpen");
    }
  }
}
