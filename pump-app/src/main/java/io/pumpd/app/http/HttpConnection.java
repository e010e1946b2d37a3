package io.pumpd.app.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.WriteTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.pumpd.app.http.ConnectionGuard.CloseReason;
import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to the health port, after Netty's HTTP decoder: answers each request from
 * {@link HealthRoutes} on the event loop, and enforces the per-connection limits.
 *
 * <p>Deadlines: the request line and headers of the first request must be complete within the
 * request timeout of the connection opening; after a response, a kept-alive connection must
 * complete its next request head within the idle timeout. Either miss closes the connection. A
 * request with a body is answered and then the connection is closed: bodies are never buffered or
 * waited for (the decoder's chunks are released as they come). A request head over the decoder's
 * limits gets 431, a malformed one 400, then the connection is closed. A client that pipelines
 * requests without reading the responses is closed once its unsent responses pass the write
 * buffer's high-water mark.
 *
 * <p>Not sharable: one instance per connection, used only on its event loop.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);

  private final HealthRoutes routes;
  private final HealthServer.Limits limits;
  private final ConnectionGuard guard;
  private ScheduledFuture<?> deadline;
  private int unsent;
  private boolean closing;

  HttpConnection(HealthRoutes routes, HealthServer.Limits limits, ConnectionGuard guard) {
    this.routes = routes;
    this.limits = limits;
    this.guard = guard;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    closeUnless(ctx, limits.requestTimeout(), CloseReason.REQUEST_TIMEOUT);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelDeadline();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest request && !closing) {
        cancelDeadline();
        handle(ctx, request);
      }
      // anything else is a piece of a request body: dropped
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof WriteTimeoutException) {
      closeFor(ctx, CloseReason.RESPONSE_TIMEOUT);
    } else {
      if (!(cause instanceof IOException)) {
        LOG.debug("Health port connection failed: {}", cause.toString());
      }
      closing = true;
      ctx.close();
    }
  }

  private void handle(ChannelHandlerContext ctx, HttpRequest request) {
    DecoderResult decoded = request.decoderResult();
    if (decoded.isFailure()) {
      Throwable c = decoded.cause();
      boolean tooLarge = c instanceof TooLongHttpLineException
          || c instanceof TooLongHttpHeaderException;
      respondAndClose(ctx, request, tooLarge
          ? HealthRoutes.Answer.text(431, "431 Request Header Fields Too Large\n")
          : HealthRoutes.Answer.text(400, "400 Bad Request\n"),
          tooLarge ? CloseReason.TOO_LARGE : CloseReason.BAD_REQUEST);
      return;
    }
    if (!ctx.channel().isWritable()) {
      // pipelined requests whose responses the client does not read
      closeFor(ctx, CloseReason.RESPONSE_TIMEOUT);
      return;
    }
    HealthRoutes.Answer answer;
    try {
      answer = routes.answer(request.method().name(), request.uri());
    } catch (Exception | LinkageError e) {
      LOG.warn("Health port: answering {} {} failed: {}", request.method(), request.uri(),
          e.toString());
      answer = HealthRoutes.Answer.text(500, "500 Internal Server Error\n");
    }
    if (hasBody(request) || !HttpUtil.isKeepAlive(request)) {
      respondAndClose(ctx, request, answer, null);
      return;
    }
    FullHttpResponse response = response(request, answer);
    if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      response.headers().set("Connection", "keep-alive");
    }
    unsent++;
    ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
      unsent--;
      if (f.isSuccess() && unsent == 0 && !closing) {
        closeUnless(ctx, limits.idleTimeout(), CloseReason.IDLE);
      }
    });
  }

  private static boolean hasBody(HttpRequest request) {
    try {
      return HttpUtil.isTransferEncodingChunked(request)
          || HttpUtil.getContentLength(request, 0L) > 0;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private void respondAndClose(ChannelHandlerContext ctx, HttpRequest request,
      HealthRoutes.Answer answer, CloseReason reason) {
    closing = true;
    if (reason != null) {
      guard.closedBecause(reason);
    }
    FullHttpResponse response = response(request, answer);
    response.headers().set("Connection", "close");
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  private static FullHttpResponse response(HttpRequest request, HealthRoutes.Answer answer) {
    boolean head = request.method().equals(HttpMethod.HEAD);
    // as Go does: an HTTP/1.0 request gets an HTTP/1.0 answer (unparsable ones an HTTP/1.1 one)
    HttpVersion version = request.decoderResult().isSuccess()
        && request.protocolVersion().equals(HttpVersion.HTTP_1_0)
        ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    FullHttpResponse response = new DefaultFullHttpResponse(version,
        HttpResponseStatus.valueOf(answer.status()),
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body()));
    // Tyk's (Go's) names and order: Content-Type, Date, Content-Length
    HttpHeaders h = response.headers();
    h.set("Content-Type", answer.contentType());
    h.set("Date", DateFormatter.format(new Date()));
    h.set("Content-Length", answer.body().length);
    if (answer.status() == 405) {
      h.set("Allow", "GET, HEAD");
    }
    return response;
  }

  /** Closes the connection for {@code reason} unless a request head arrives within {@code after}. */
  private void closeUnless(ChannelHandlerContext ctx, Duration after, CloseReason reason) {
    cancelDeadline();
    deadline = ctx.executor().schedule(() -> closeFor(ctx, reason),
        after.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void closeFor(ChannelHandlerContext ctx, CloseReason reason) {
    if (closing || !ctx.channel().isActive()) {
      return;
    }
    closing = true;
    guard.closedBecause(reason);
    ctx.close();
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
