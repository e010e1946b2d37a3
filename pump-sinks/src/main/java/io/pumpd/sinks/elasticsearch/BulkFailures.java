package io.pumpd.sinks.elasticsearch;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.transport.TransportException;
import io.pumpd.core.concurrent.Causes;
import java.io.IOException;
import java.util.Set;
import org.elasticsearch.client.ResponseException;

/**
 * What a failure means: worth another attempt or not, and how to say it in a log line or a
 * dead-letter reason. Stateless.
 *
 * <p>Retried: no answer at all (connection refused or reset, timeouts: any {@link IOException} that
 * is not an HTTP answer), HTTP 408, 429, 500, 502, 503, 504 for the whole request, and per-document
 * statuses 408, 429, 503, 507 (Elasticsearch overloaded, shards unavailable). Everything else is
 * permanent: a mapping conflict (400), bad credentials (401/403), a request too large (413).
 */
final class BulkFailures {
  private static final Set<Integer> RETRIED_REQUEST_STATUSES = Set.of(408, 429, 500, 502, 503, 504);
  private static final Set<Integer> RETRIED_ITEM_STATUSES = Set.of(408, 429, 503, 507);

  private BulkFailures() {}

  /** Whether a failed request may succeed when sent again. */
  static boolean retriable(Throwable t) {
    Throwable e = Causes.unwrap(t);
    int status = status(e);
    if (status > 0) {
      return RETRIED_REQUEST_STATUSES.contains(status);
    }
    return Causes.chain(e).stream().anyMatch(IOException.class::isInstance);
  }

  /** Whether a per-document failure may succeed when sent again. */
  static boolean retriable(BulkResponseItem item) {
    return RETRIED_ITEM_STATUSES.contains(item.status());
  }

  /** True when Elasticsearch answered at all (the failure carries an HTTP status). */
  static boolean answered(Throwable t) {
    return status(Causes.unwrap(t)) > 0;
  }

  /** The HTTP status of a failed request, or 0 when there was no answer. */
  static int status(Throwable t) {
    for (Throwable c : Causes.chain(Causes.unwrap(t))) {
      if (c instanceof ResponseException re) {
        return re.getResponse().getStatusLine().getStatusCode();
      }
      if (c instanceof ElasticsearchException ee) {
        return ee.status();
      }
      if (c instanceof TransportException te && te.statusCode() > 0) {
        return te.statusCode();
      }
    }
    return 0;
  }

  /** A one-line description of a failed request. */
  static String describe(Throwable t) {
    Throwable e = Causes.unwrap(t);
    if (e instanceof ElasticsearchException ee && ee.error() != null) {
      return "HTTP " + ee.status() + " " + cause(ee.error());
    }
    if (e instanceof ResponseException re) {
      return "HTTP " + re.getResponse().getStatusLine().getStatusCode() + " "
          + re.getResponse().getStatusLine().getReasonPhrase();
    }
    Throwable root = Causes.root(e);
    String msg = root.getMessage();
    return root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }

  /** The dead-letter reason of a rejected document: status, error type and Elasticsearch's reason. */
  static String reason(BulkResponseItem item) {
    return "elasticsearch rejected the document (status " + item.status() + "): "
        + (item.error() == null ? "no error detail" : cause(item.error()));
  }

  /** The dead-letter reason of a document whose own index request was refused. */
  static String rejection(Throwable t) {
    return "elasticsearch rejected the document: " + describe(t);
  }

  private static String cause(ErrorCause c) {
    StringBuilder sb = new StringBuilder();
    sb.append(c.type()).append(": ").append(c.reason());
    ErrorCause inner = c.causedBy();
    if (inner != null) {
      sb.append(" (caused by ").append(inner.type()).append(": ").append(inner.reason()).append(')');
    }
    return sb.toString();
  }
}
