package dev.x0tta6bl4.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server on Netty with a path router (exact paths and {@code /prefix/{var}}
 * templates, see {@link Router}): serves {@code /metrics} and health (see {@link
 * ObservabilityEndpoints}) and is the stack the local API adds its routes to.
 *
 * <p>Requests are parsed by Netty's {@code HttpServerCodec} (request line and headers each limited
 * to {@code maxHeaderBytes}: longer headers get 431, a longer request line 414) and aggregated up
 * to {@code maxBodyBytes} (413). Keep-alive and pipelining are supported; responses go out in
 * request order. Unknown paths get 404 and a known path with another method 405 with {@code
 * Allow}, both as {@code {"error":{"code":...,"message":...}}} (see {@link HttpResponse#error}).
 * HEAD is answered by the GET handler without the body. Every answer is counted in {@code
 * meshd.http.requests} and timed in {@code meshd.http.request.duration}, tagged {@code server},
 * {@code route} (registered path or {@code unmatched}) and {@code status} (status class, {@code
 * 2xx}).
 *
 * <p>A handler may answer with a server-sent event stream ({@link HttpResponse#eventStream}, see
 * {@link EventStream}): bounded per stream, a heartbeat comment every {@code streamHeartbeat},
 * ended cleanly (final chunk) when the server closes.
 *
 * <p><b>Threads.</b> Handlers run on the event loop of their connection and must not block (see
 * {@link HttpHandler}). The event loop group is passed in and owned by the caller, who shuts it
 * down after closing this server. {@link #start()} and {@link #close()} block until the socket is
 * bound or closed: call them from the composition root, never from an event loop.
 *
 * <p><b>Lifecycle.</b> NEW → RUNNING ({@link #start()}) → CLOSED ({@link #close()}, idempotent,
 * closes the listening socket and every open connection of this server). A failed start leaves
 * the server CLOSED. The creator closes it.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
  private static final long CLOSE_WAIT_SECONDS = 5;

  /** Lifecycle states. */
  public enum State {
    /** Built, not bound yet. */
    NEW,
    /** Bound and accepting connections. */
    RUNNING,
    /** Closed, or failed to start; cannot be restarted. */
    CLOSED
  }

  private final String name;
  private final EventLoopGroup group;
  private final InetSocketAddress bindAddress;
  private final Class<? extends ServerChannel> channelClass;
  private final HttpChannelInitializer initializer;
  private final ChannelGroup connections;
  private final Set<ChannelEventStream> openStreams = ConcurrentHashMap.newKeySet();
  private State state = State.NEW;
  private Channel serverChannel;
  private InetSocketAddress boundAddress;

  private HttpServer(Builder b) {
    this.name = b.name;
    this.group = b.group;
    this.bindAddress = b.bindAddress;
    this.channelClass = b.channelClass;
    this.connections = new DefaultChannelGroup("http-" + b.name, b.group.next());
    this.initializer =
        new HttpChannelInitializer(b.routes.build(), new HttpServerMetrics(b.registry, b.name),
            connections, b.maxHeaderBytes, b.maxBodyBytes, b.idleTimeout.toMillis(),
            openStreams, b.streamHeartbeat.toMillis());
  }

  /**
   * Starts a builder.
   *
   * @param group event loops for accepting and serving connections; owned by the caller
   * @param registry where request metrics go
   */
  public static Builder builder(EventLoopGroup group, MeterRegistry registry) {
    return new Builder(group, registry);
  }

  /**
   * Binds the listening socket and moves to RUNNING.
   *
   * @return this server
   * @throws ObservabilityException if not NEW, or if binding fails (the message names the address
   *     and the cause, e.g. "Address already in use"); the server is then CLOSED
   */
  public synchronized HttpServer start() {
    if (state != State.NEW) {
      throw new ObservabilityException(
          "HTTP server '" + name + "' cannot start in state " + state + ": expected NEW");
    }
    ChannelFuture bind =
        new ServerBootstrap()
            .group(group)
            .channel(channelClass)
            .childHandler(initializer)
            .bind(bindAddress)
            .awaitUninterruptibly();
    if (!bind.isSuccess()) {
      state = State.CLOSED;
      Throwable cause = bind.cause();
      throw new ObservabilityException(
          "HTTP server '" + name + "' cannot bind to " + describe(bindAddress) + ": "
              + cause.getClass().getSimpleName() + ": " + cause.getMessage(),
          cause);
    }
    serverChannel = bind.channel();
    boundAddress = (InetSocketAddress) serverChannel.localAddress();
    state = State.RUNNING;
    LOG.info(
        "HTTP server {} listening on {}",
        kv("http_server", name),
        kv("address", describe(boundAddress)));
    return this;
  }

  /**
   * The address the socket is bound to, with the real port when 0 was requested.
   *
   * @throws ObservabilityException if the server is not RUNNING
   */
  public synchronized InetSocketAddress boundAddress() {
    if (state != State.RUNNING) {
      throw new ObservabilityException(
          "HTTP server '" + name + "' has no bound address in state " + state
              + ": expected RUNNING");
    }
    return boundAddress;
  }

  /** The current lifecycle state. */
  public synchronized State state() {
    return state;
  }

  /** The server's name, used in logs and as the {@code server} metric tag. */
  public String name() {
    return name;
  }

  /** Event streams currently open on this server's connections. */
  public int openStreams() {
    return openStreams.size();
  }

  /**
   * Closes the listening socket, ends every open event stream cleanly (final chunk), then closes
   * all connections of this server, waiting up to 5 s each when called outside the group's event
   * loops. Idempotent; the event loop group stays up.
   */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    State previous = state;
    state = State.CLOSED;
    if (previous != State.RUNNING) {
      return;
    }
    boolean mayWait = !onEventLoop();
    ChannelFuture closed = serverChannel.close();
    if (mayWait && !closed.awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
      LOG.warn("HTTP server '{}' listening socket did not close within {} s", name,
          CLOSE_WAIT_SECONDS);
    }
    endStreams(mayWait);
    var connectionsClosed = connections.close();
    if (mayWait
        && !connectionsClosed.awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
      LOG.warn("HTTP server '{}' connections did not close within {} s", name,
          CLOSE_WAIT_SECONDS);
    }
    LOG.info(
        "HTTP server {} on {} closed", kv("http_server", name), kv("address", describe(boundAddress)));
  }

  private void endStreams(boolean mayWait) {
    List<ChannelFuture> ended = new ArrayList<>();
    for (ChannelEventStream stream : List.copyOf(openStreams)) {
      ended.add(stream.end());
    }
    if (!mayWait) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
    for (ChannelFuture future : ended) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !future.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
        LOG.warn("HTTP server '{}' event streams did not end within {} s", name,
            CLOSE_WAIT_SECONDS);
        return;
      }
    }
  }

  private boolean onEventLoop() {
    for (EventExecutor executor : group) {
      if (executor.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  private static String describe(InetSocketAddress address) {
    String host =
        address.getAddress() != null ? address.getAddress().getHostAddress()
            : address.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /**
   * Configures an {@link HttpServer}. Every setter validates its argument and throws {@link
   * ObservabilityException} naming it. Not thread-safe; use from one thread.
   */
  public static final class Builder {
    private final EventLoopGroup group;
    private final MeterRegistry registry;
    private final Router.Builder routes = new Router.Builder();
    private String name = "http";
    private InetSocketAddress bindAddress = new InetSocketAddress("127.0.0.1", 0);
    private Class<? extends ServerChannel> channelClass = NioServerSocketChannel.class;
    private int maxHeaderBytes = 8192;
    private int maxBodyBytes = 64 * 1024;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration streamHeartbeat = Duration.ofSeconds(15);

    private Builder(EventLoopGroup group, MeterRegistry registry) {
      this.group = Objects.requireNonNull(group, "group");
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Name for logs and the {@code server} metric tag, e.g. {@code metrics}; default http. */
    public Builder name(String name) {
      if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
        throw new ObservabilityException(
            "server name '" + name + "' is invalid: expected lower-case letters, digits, '-'");
      }
      this.name = name;
      return this;
    }

    /** Where to listen; port 0 picks a free port. Default 127.0.0.1:0. */
    public Builder bindAddress(InetSocketAddress address) {
      Objects.requireNonNull(address, "address");
      if (address.isUnresolved()) {
        throw new ObservabilityException(
            "bind address '" + address.getHostString() + "' is unresolved: expected an IP"
                + " address or a resolvable host name");
      }
      this.bindAddress = address;
      return this;
    }

    /** Where to listen, as host and port; port 0 picks a free port. */
    public Builder bindAddress(String host, int port) {
      if (port < 0 || port > 65535) {
        throw new ObservabilityException("port " + port + " is invalid: expected 0 to 65535");
      }
      return bindAddress(new InetSocketAddress(Objects.requireNonNull(host, "host"), port));
    }

    /**
     * The server channel type matching the group's transport; default {@link
     * NioServerSocketChannel} (for a group built with {@code NioIoHandler.newFactory()}).
     */
    public Builder serverChannel(Class<? extends ServerChannel> channelClass) {
      this.channelClass = Objects.requireNonNull(channelClass, "channelClass");
      return this;
    }

    /** Limit of the request line and of the headers, each; default 8192. Larger gets 414/431. */
    public Builder maxHeaderBytes(int bytes) {
      if (bytes < 256 || bytes > 1 << 20) {
        throw new ObservabilityException(
            "maxHeaderBytes " + bytes + " is invalid: expected 256 to 1048576");
      }
      this.maxHeaderBytes = bytes;
      return this;
    }

    /** Limit of a request body; default 65536. Larger gets 413 and the connection closes. */
    public Builder maxBodyBytes(int bytes) {
      if (bytes < 0 || bytes > 16 << 20) {
        throw new ObservabilityException(
            "maxBodyBytes " + bytes + " is invalid: expected 0 to 16777216");
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /** A connection with no traffic for this long is closed; default 60 s. */
    public Builder idleTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new ObservabilityException(
            "idleTimeout " + timeout + " is invalid: expected a positive duration");
      }
      this.idleTimeout = timeout;
      return this;
    }

    /**
     * How often an open event stream gets a comment line ({@code :}) when nothing else is sent;
     * default 15 s. Keep it well below the idle timeout and below proxies' read timeouts.
     */
    public Builder streamHeartbeat(Duration interval) {
      if (interval == null || interval.toMillis() < 1) {
        throw new ObservabilityException(
            "streamHeartbeat " + interval + " is invalid: expected at least 1 ms");
      }
      this.streamHeartbeat = interval;
      return this;
    }

    /**
     * Registers {@code handler} for {@code method} on exactly {@code path}, or, when its last
     * segment is a variable such as {@code /v1/kv/{key}}, on every path under that prefix (see
     * {@link Router}). A GET route also answers HEAD unless HEAD is registered separately.
     *
     * @throws ObservabilityException if the path is not absolute or the route exists already
     */
    public Builder route(HttpMethod method, String path, HttpHandler handler) {
      routes.add(method, path, handler);
      return this;
    }

    /**
     * Builds a NEW server; call {@link HttpServer#start()} to bind it.
     *
     * @throws ObservabilityException if the stream heartbeat is not shorter than the idle
     *     timeout (streams would be closed as idle)
     */
    public HttpServer build() {
      if (streamHeartbeat.compareTo(idleTimeout) >= 0) {
        throw new ObservabilityException(
            "streamHeartbeat " + streamHeartbeat + " is invalid: expected less than the idle"
                + " timeout " + idleTimeout);
      }
      return new HttpServer(this);
    }
  }
}
