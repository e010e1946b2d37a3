package io.pumpd.sinks.dogstatsd;

import com.timgroup.statsd.BufferPool;
import com.timgroup.statsd.NonBlockingStatsDClient;
import com.timgroup.statsd.NonBlockingStatsDClientBuilder;
import com.timgroup.statsd.StatsDClientErrorHandler;
import com.timgroup.statsd.StatsDSender;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;

/**
 * java-dogstatsd-client 4.4.5's {@link NonBlockingStatsDClient} with two hooks the pump needs,
 * through the client's protected extension points:
 *
 * <ul>
 *   <li>{@link #createSender}: the socket channel is wrapped (by the error handler, which must be
 *       a {@link Hooks}) so the pump learns which metrics reached the socket and controls how many
 *       go in one datagram. The handler is the one builder value the client has already stored
 *       when it creates its sender inside its constructor, hence that route.
 *   <li>{@link #isInvalidSample}: never drops; the pump samples itself (so it knows which records
 *       were sent) and passes the rate only for the {@code |@rate} suffix.
 * </ul>
 *
 * Thread-safe as the client is.
 */
final class TrackingStatsDClient extends NonBlockingStatsDClient {

  /** The error handler, which also wraps the client's socket channel. */
  interface Hooks extends StatsDClientErrorHandler {
    /** Called once, inside the client's constructor, with its socket channel. */
    WritableByteChannel wrapChannel(WritableByteChannel channel);
  }

  private TrackingStatsDClient(NonBlockingStatsDClientBuilder resolved) {
    super(resolved);
  }

  @Override
  protected StatsDSender createSender(
      StatsDClientErrorHandler handler,
      WritableByteChannel clientChannel,
      BufferPool pool,
      BlockingQueue<ByteBuffer> buffers,
      int senderWorkers,
      ThreadFactory threadFactory)
      throws Exception {
    WritableByteChannel channel =
        handler instanceof Hooks hooks ? hooks.wrapChannel(clientChannel) : clientChannel;
    return super.createSender(handler, channel, pool, buffers, senderWorkers, threadFactory);
  }

  @Override
  protected boolean isInvalidSample(double sampleRate) {
    return false;
  }

  /** The client's builder, able to build this subclass. Not thread-safe. */
  static final class Builder extends NonBlockingStatsDClientBuilder {
    /**
     * Builds the client; opens the socket channel and starts the client's threads.
     *
     * @throws com.timgroup.statsd.StatsDClientException the address cannot be resolved or the
     *     channel cannot be opened
     */
    TrackingStatsDClient buildTracking() {
      return new TrackingStatsDClient(resolve());
    }
  }
}
