package io.pumpd.app.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pumpd.app.http.ConnectionGuard.CloseReason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP port ({@code health_check_endpoint_port}, on {@code
 * health_check_endpoint_address} or all interfaces): serves {@link HealthRoutes} with Netty's
 * HTTP/1.1 codec on two non-blocking event-loop threads, so that slow or hostile clients cannot
 * keep the liveness probe from being answered.
 *
 * <p>Limits ({@link Limits}; production values are its constants):
 *
 * <ul>
 *   <li>a connection's request line and headers must be complete within {@link
 *       Limits#requestTimeout()} (5 s) of its opening, and a kept-alive connection's next ones
 *       within {@link Limits#idleTimeout()} (30 s) of the previous response; otherwise it is
 *       closed. A response the client does not take within the request timeout closes it too;
 *   <li>request line at most {@link Limits#maxRequestLineBytes()}, headers at most {@link
 *       Limits#maxHeaderBytes()}: beyond, {@code 431} and the connection is closed; a malformed
 *       request gets {@code 400} and is closed;
 *   <li>request bodies are never buffered: a request with one is answered, then its connection is
 *       closed;
 *   <li>at most {@link Limits#maxConnections()} open connections: beyond, a new connection is
 *       closed as soon as it is accepted.
 * </ul>
 *
 * Connections the server closes (except routine idle ones) are counted in {@code
 * pump_http_connections_closed_total{reason}} and warned about at most once a minute, so that an
 * operator sees an attack or a misconfigured probe.
 *
 * <p>Threading: the handlers run on the event loops (daemon threads named {@code http-…}), so the
 * readiness checks and the metrics supplier must be cheap and non-blocking ({@link HealthRoutes}).
 *
 * <p>Lifecycle: the constructor binds the port, so that a port in use fails startup, but accepts
 * nothing until {@link #start()}; {@link #stop()} closes the port and every connection and
 * returns within about {@link #STOP_TIMEOUT}. Each is called once, {@code stop()} possibly without
 * {@code start()}; neither from an event-loop thread.
 */
public final class HealthServer {
  private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);

  /** Upper bound on each of the three steps of {@link #stop()}. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(1);
  private static final int EVENT_LOOPS = 2;

  /**
   * Per-connection limits.
   *
   * @param requestTimeout the request line and headers must be complete within this of the
   *     connection opening (and a response taken by the client within this)
   * @param idleTimeout a kept-alive connection must complete its next request head within this of
   *     the previous response
   * @param maxConnections open connections; more are closed when accepted
   * @param maxRequestLineBytes longest request line ({@code 431} beyond)
   * @param maxHeaderBytes largest header section ({@code 431} beyond)
   */
  public record Limits(Duration requestTimeout, Duration idleTimeout, int maxConnections,
      int maxRequestLineBytes, int maxHeaderBytes) {
    /** Production request timeout: a probe or a scraper sends its request at once. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Production keep-alive idle timeout; a scraper reconnects when it scrapes less often. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Production cap on open connections (probes and scrapers need a handful). */
    public static final int MAX_CONNECTIONS = 256;
    public static final int MAX_REQUEST_LINE_BYTES = 4096;
    public static final int MAX_HEADER_BYTES = 8192;
    /** The production limits. */
    public static final Limits DEFAULTS = new Limits(REQUEST_TIMEOUT, IDLE_TIMEOUT,
        MAX_CONNECTIONS, MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES);

    public Limits {
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (requestTimeout.isNegative() || requestTimeout.isZero() || idleTimeout.isNegative()
          || idleTimeout.isZero() || maxConnections < 1 || maxRequestLineBytes < 16
          || maxHeaderBytes < 16) {
        throw new IllegalArgumentException("limits must be positive");
      }
    }

    /** These limits with other timeouts (tests). */
    public Limits withTimeouts(Duration request, Duration idle) {
      return new Limits(request, idle, maxConnections, maxRequestLineBytes, maxHeaderBytes);
    }

    /** These limits with another connection cap (tests). */
    public Limits withMaxConnections(int max) {
      return new Limits(requestTimeout, idleTimeout, max, maxRequestLineBytes, maxHeaderBytes);
    }
  }

  private final EventLoopGroup loops;
  private final Channel serverChannel;
  private final InetSocketAddress bound;
  private final ConnectionGuard guard;
  private final AtomicBoolean stopped = new AtomicBoolean();

  /**
   * Binds the port at once, so that a port in use fails startup; accepts connections from {@link
   * #start()} on.
   *
   * @param address an IP literal or host name to listen on; empty listens on all interfaces
   * @param port the port; 0 picks a free one (tests)
   * @param meters where the connection counters go
   * @throws IOException the address does not resolve or the port cannot be bound
   */
  public HealthServer(String address, int port, HealthRoutes routes, Limits limits,
      MeterRegistry meters) throws IOException {
    InetSocketAddress wanted = address.isEmpty()
        ? new InetSocketAddress(port)
        : new InetSocketAddress(address, port);
    if (wanted.isUnresolved()) {
      throw new IOException("health_check_endpoint_address \"" + address + "\" does not resolve");
    }
    loops = new NioEventLoopGroup(EVENT_LOOPS, new DefaultThreadFactory("http", true));
    guard = new ConnectionGuard(describe(wanted), limits, meters, loops.next());
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(loops)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 128)
        .option(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(32 * 1024, 256 * 1024))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (!guard.admit(ch)) {
              ch.close();
              return;
            }
            long timeoutMillis = limits.requestTimeout().toMillis();
            ch.pipeline()
                .addLast("write-timeout",
                    new WriteTimeoutHandler(timeoutMillis, TimeUnit.MILLISECONDS))
                .addLast("codec", new HttpServerCodec(
                    limits.maxRequestLineBytes(), limits.maxHeaderBytes(), 8192))
                .addLast("health", new HttpConnection(routes, limits, guard));
          }
        });
    ChannelFuture bind = bootstrap.bind(wanted).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS)
          .awaitUninterruptibly(STOP_TIMEOUT.toMillis());
      Throwable cause = bind.cause();
      String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      throw new IOException(why + " (" + describe(wanted) + ")", cause);
    }
    serverChannel = bind.channel();
    bound = (InetSocketAddress) serverChannel.localAddress();
  }

  /** The bound address and port (port 0 in the constructor gives a free port). */
  public InetSocketAddress address() {
    return bound;
  }

  /** The bound port (useful with port 0 in tests). */
  public int port() {
    return bound.getPort();
  }

  /** Starts accepting connections. */
  public void start() {
    serverChannel.config().setAutoRead(true);
    LOG.info("Health endpoint on {} (liveness), readiness and metrics on the same port",
        describe(bound));
  }

  /**
   * Closes the port and every open connection and stops the event loops; returns within three
   * times {@link #STOP_TIMEOUT} at worst (milliseconds in practice). Idempotent.
   */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    long step = STOP_TIMEOUT.toMillis();
    serverChannel.close().awaitUninterruptibly(step);
    guard.closeAll().awaitUninterruptibly(step);
    loops.shutdownGracefully(0, step, TimeUnit.MILLISECONDS).awaitUninterruptibly(step);
  }

  /** Open connections now (tests, diagnostics). */
  int openConnections() {
    return guard.openConnections();
  }

  /** Connections the server closed for {@code reason} since start (tests, diagnostics). */
  long closedConnections(CloseReason reason) {
    return guard.count(reason);
  }

  /** {@code :8083} for all interfaces (as Tyk logs it), else {@code 127.0.0.1:8083}. */
  private static String describe(InetSocketAddress a) {
    if (a.getAddress() != null && a.getAddress().isAnyLocalAddress()) {
      return ":" + a.getPort();
    }
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
