package io.pumpd.sinks.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import io.pumpd.core.concurrent.Causes;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds documents back until the index template is in place, so that no index is created by
 * dynamic mapping first. {@link #ready()} starts an installation when none is running or the last
 * one could not reach Elasticsearch; once installed (or refused by Elasticsearch, which is logged
 * and then ignored: documents are not held hostage by a template conflict) it stays done.
 * Thread-safe.
 */
final class TemplateGate {
  private static final Logger LOG = LoggerFactory.getLogger(TemplateGate.class);

  private final IndexTemplateInstaller installer;
  private final ElasticsearchAsyncClient client;
  private final String pumpName;
  private CompletableFuture<Void> current;

  /** @param installer {@code null} when {@code install_template} is off: always open */
  TemplateGate(IndexTemplateInstaller installer, ElasticsearchAsyncClient client, String pumpName) {
    this.installer = installer;
    this.client = client;
    this.pumpName = pumpName;
    this.current = installer == null ? CompletableFuture.completedFuture(null) : null;
  }

  /** True when documents may go straight to Elasticsearch. */
  synchronized boolean isOpen() {
    return current != null && current.isDone() && !current.isCompletedExceptionally();
  }

  /**
   * Completes when documents may be sent; exceptionally (with the client's failure) when
   * Elasticsearch could not be reached, in which case the next call tries again.
   */
  synchronized CompletableFuture<Void> ready() {
    if (current == null || current.isCompletedExceptionally()) {
      current = install();
    }
    return current;
  }

  private CompletableFuture<Void> install() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    CompletableFuture<Void> attempt;
    try {
      attempt = installer.install(client);
    } catch (RuntimeException e) {
      attempt = CompletableFuture.failedFuture(e);
    }
    attempt.whenComplete(
        (ok, err) -> {
          if (err == null) {
            LOG.info("elasticsearch pump {}: index template {} installed", pumpName, installer.name());
            result.complete(null);
          } else if (BulkFailures.answered(err)) {
            LOG.warn(
                "elasticsearch pump {}: Elasticsearch refused index template {} ({}); documents are indexed"
                    + " with the cluster's own templates or dynamic mapping",
                pumpName,
                installer.name(),
                BulkFailures.describe(err));
            result.complete(null);
          } else {
            LOG.debug("elasticsearch pump {}: index template not installed yet: {}", pumpName, BulkFailures.describe(err));
            result.completeExceptionally(Causes.unwrap(err));
          }
        });
    return result;
  }
}
