package io.pumpd.sinks.elasticsearch;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.apache.http.HttpHost;

/**
 * Helpers for the {@code elasticsearch_url} list: hosts for the REST client, the shared path prefix,
 * credentials embedded in a URL, and a log-safe rendering. Stateless.
 */
final class ElasticsearchUrls {
  private ElasticsearchUrls() {}

  /** {@code u} with any {@code user:password@} replaced by {@code ***:***@}, for logs. */
  static String masked(URI u) {
    String s = u.toString();
    return u.getRawUserInfo() == null ? s : s.replace(u.getRawUserInfo() + "@", "***:***@");
  }

  /** The comma-joined masked list. */
  static String masked(List<URI> urls) {
    return String.join(",", urls.stream().map(ElasticsearchUrls::masked).toList());
  }

  /** One {@link HttpHost} per URL; the port defaults to 9200 as in Elasticsearch clients. */
  static HttpHost[] hosts(List<URI> urls) {
    return urls.stream()
        .map(u -> new HttpHost(u.getHost(), u.getPort() < 0 ? 9200 : u.getPort(), u.getScheme().toLowerCase(Locale.ROOT)))
        .toArray(HttpHost[]::new);
  }

  /** The path of the first URL when it is more than {@code /} (a proxy prefix), else {@code null}. */
  static String pathPrefix(List<URI> urls) {
    String p = urls.isEmpty() ? null : urls.get(0).getRawPath();
    if (p == null || p.isEmpty() || p.equals("/")) {
      return null;
    }
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** The decoded {@code user:password} of the first URL that has one, or {@code null}. */
  static String userInfo(List<URI> urls) {
    return urls.stream().map(URI::getUserInfo).filter(x -> x != null && !x.isEmpty()).findFirst().orElse(null);
  }

  /** True when any URL uses plain http. */
  static boolean anyPlainHttp(List<URI> urls) {
    return urls.stream().anyMatch(u -> "http".equalsIgnoreCase(u.getScheme()));
  }
}
