package io.pumpd.sinks.dogstatsd;

import io.pumpd.core.record.AnalyticsRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a record into the one metric Tyk's dogstatsd pump emits for it: a histogram sample named
 * {@code request_time} (the client adds {@code <namespace>.}) whose value is {@code RequestTime}
 * in milliseconds, with Tyk's tags ({@code reference/tyk-pump.md} §5.2). The client adds the
 * constant {@code tyk-pump} tag. Line feeds are dropped from tag values, as Tyk's client drops
 * them. Total: any decodable record maps. Pure and immutable; thread-safe.
 */
public final class DogStatsdMetricMapper {
  /** The metric name without the namespace. */
  public static final String METRIC_NAME = "request_time";

  /** Tyk's default tag set, in Tyk's order, used when {@code tags} is empty. */
  private static final List<DogStatsdTag> DEFAULT_TAGS =
      List.of(
          DogStatsdTag.PATH,
          DogStatsdTag.METHOD,
          DogStatsdTag.RESPONSE_CODE,
          DogStatsdTag.API_VERSION,
          DogStatsdTag.API_NAME,
          DogStatsdTag.API_ID,
          DogStatsdTag.ORG_ID,
          DogStatsdTag.TRACKED);

  private final List<DogStatsdTag> configured;

  /**
   * @param configured the {@code tags} setting, already validated; empty for Tyk's default set
   */
  public DogStatsdMetricMapper(List<DogStatsdTag> configured) {
    this.configured = List.copyOf(configured);
  }

  /** The metric for {@code r}. */
  public DogStatsdMetric map(AnalyticsRecord r) {
    List<String> tags = new ArrayList<>(configured.isEmpty() ? 9 : configured.size());
    if (configured.isEmpty()) {
      // Tyk's fallback: the path is not trimmed here, oauth_id only when set.
      for (DogStatsdTag t : DEFAULT_TAGS) {
        tags.add(withoutNewlines(t.renderUntrimmed(r)));
      }
      if (!r.getOauthId().isEmpty()) {
        tags.add(withoutNewlines(DogStatsdTag.OAUTH_ID.renderUntrimmed(r)));
      }
    } else {
      for (DogStatsdTag t : configured) {
        String tag = t.renderConfigured(r);
        if (tag != null) {
          tags.add(withoutNewlines(tag));
        }
      }
    }
    return new DogStatsdMetric(METRIC_NAME, r.getRequestTime(), tags);
  }

  /**
   * {@code tag} without its line feeds, as Tyk's client (datadog-go) writes tags: a newline in a
   * record's value (a path, say) would otherwise end the metric line and start another one, which
   * the record's sender controls. java-dogstatsd-client writes tags as they are.
   */
  static String withoutNewlines(String tag) {
    return tag.indexOf('\n') < 0 ? tag : tag.replace("\n", "");
  }

  /**
   * One histogram sample.
   *
   * @param name metric name without the namespace
   * @param value the sample (milliseconds)
   * @param tags {@code key:value} tags, in Tyk's order
   */
  public record DogStatsdMetric(String name, long value, List<String> tags) {
    public DogStatsdMetric {
      tags = List.copyOf(tags);
    }

    /** The tags as the array the client takes. */
    public String[] tagArray() {
      return tags.toArray(String[]::new);
    }
  }
}
