package io.pumpd.sinks.influx2;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Call;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * The pump's HTTP calls in progress, so that {@link #cancelAll} (at close) can end one that waits
 * on a server that does not answer: neither an interrupt nor closing the client reaches a thread
 * blocked reading a socket, a cancelled call does (it fails with an {@link IOException} at once).
 * After {@code cancelAll} every new call is cancelled before it is sent. Thread-safe.
 */
final class InFlightCalls implements Interceptor {
  private final Set<Call> calls = ConcurrentHashMap.newKeySet();
  private volatile boolean cancelled;

  @Override
  public Response intercept(Chain chain) throws IOException {
    Call call = chain.call();
    calls.add(call); // before looking at the flag: cancelAll sees the call, or the call sees the flag
    try {
      if (cancelled) {
        call.cancel();
      }
      return chain.proceed(chain.request());
    } finally {
      calls.remove(call);
    }
  }

  /** Cancels every call in progress and every later one. */
  void cancelAll() {
    cancelled = true;
    calls.forEach(Call::cancel);
  }
}
