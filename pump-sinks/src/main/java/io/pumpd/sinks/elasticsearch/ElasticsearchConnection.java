package io.pumpd.sinks.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.record.RecordJson;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.apache.http.Header;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.HttpResponseInterceptor;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the pump: one low-level {@link RestClient} (round-robin over the configured
 * URLs), its {@link RestClientTransport} and the synchronous and asynchronous API clients on top.
 * Opening it does no I/O. Thread-safe; {@link #close} releases the connection pool and its threads.
 *
 * <p>Authentication is sent pre-emptively as a default {@code Authorization} header: {@code ApiKey
 * base64(id:key)} when both API-key settings are set (basic credentials are then ignored, as in
 * Tyk), else {@code Basic} from {@code auth_basic_*} or from {@code user:password@} in the URL. The
 * header is independent of TLS, so an API key works together with {@code use_ssl} (Tyk drops it).
 *
 * <p>{@code version "7"}: requests are sent as plain {@code application/json} instead of the 8.x
 * client's {@code compatible-with=8} media type (which 7.x rejects), and a 7.x response without
 * {@code X-Elastic-Product} (clusters before 7.14) is accepted.
 */
final class ElasticsearchConnection implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchConnection.class);
  static final int CONNECT_TIMEOUT_MS = 5_000;
  static final int SOCKET_TIMEOUT_MS = 60_000;
  private static final String COMPAT_8 = "compatible-with=8";
  private static final String PRODUCT_HEADER = "X-Elastic-Product";

  private final RestClient rest;
  private final RestClientTransport transport;
  private final ElasticsearchClient client;
  private final ElasticsearchAsyncClient async;

  private ElasticsearchConnection(RestClient rest) {
    this.rest = rest;
    this.transport = new RestClientTransport(rest, new JacksonJsonpMapper(RecordJson.mapper().copy()));
    this.client = new ElasticsearchClient(transport);
    this.async = new ElasticsearchAsyncClient(transport);
  }

  /**
   * Builds the clients from {@code s} (reads the TLS files, no network I/O).
   *
   * @throws PumpException a TLS file is missing or invalid
   */
  static ElasticsearchConnection open(ElasticsearchSettings s, String pumpName) throws PumpException {
    List<URI> urls = s.urls();
    RestClientBuilder b = RestClient.builder(ElasticsearchUrls.hosts(urls));
    String prefix = ElasticsearchUrls.pathPrefix(urls);
    if (prefix != null) {
      b.setPathPrefix(prefix);
    }
    List<Header> headers = new ArrayList<>();
    String auth = authorization(s, urls);
    if (auth != null) {
      headers.add(new BasicHeader("Authorization", auth));
    }
    b.setDefaultHeaders(headers.toArray(Header[]::new));
    b.setRequestConfigCallback(
        rc -> rc.setConnectTimeout(CONNECT_TIMEOUT_MS).setSocketTimeout(SOCKET_TIMEOUT_MS));

    SSLContext ssl = null;
    if (s.useSsl()) {
      try {
        ssl = TlsContexts.create(s);
      } catch (GeneralSecurityException e) {
        throw new PumpException("elasticsearch pump " + pumpName + ": TLS settings: " + e.getMessage(), e);
      }
      if (ElasticsearchUrls.anyPlainHttp(urls)) {
        LOG.warn(
            "elasticsearch pump {}: use_ssl is set but elasticsearch_url has http:// URLs; TLS applies to https:// URLs only",
            pumpName);
      }
    } else if (!s.sslCaFile().isEmpty() || !s.sslCertFile().isEmpty() || s.sslInsecureSkipVerify()) {
      LOG.warn("elasticsearch pump {}: ssl_* settings are ignored because use_ssl is false", pumpName);
    }
    SSLContext sslContext = ssl;
    boolean skipHostnames = s.useSsl() && s.sslInsecureSkipVerify();
    boolean v7 = s.version().equals("7");
    int connections = Math.max(10, s.bulkConfig().workers() * 2 + 2);
    b.setHttpClientConfigCallback(
        hc -> {
          hc.setMaxConnPerRoute(connections).setMaxConnTotal(connections * Math.max(1, urls.size()));
          if (sslContext != null) {
            hc.setSSLContext(sslContext);
          }
          if (skipHostnames) {
            hc.setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE);
          }
          if (v7) {
            hc.addInterceptorLast(plainJsonMediaTypes());
            hc.addInterceptorLast(assumeElasticsearchProduct());
          }
          return hc;
        });
    return new ElasticsearchConnection(b.build());
  }

  /** The {@code Authorization} header value, or {@code null}. */
  static String authorization(ElasticsearchSettings s, List<URI> urls) {
    if (!s.authApiKeyId().isEmpty() && !s.authApiKey().isEmpty()) {
      return "ApiKey " + base64(s.authApiKeyId() + ":" + s.authApiKey().reveal());
    }
    if (!s.authBasicUsername().isEmpty()) {
      return "Basic " + base64(s.authBasicUsername() + ":" + s.authBasicPassword().reveal());
    }
    String userInfo = ElasticsearchUrls.userInfo(urls);
    return userInfo == null ? null : "Basic " + base64(userInfo);
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpRequestInterceptor plainJsonMediaTypes() {
    return (request, context) -> {
      for (String name : new String[] {"Content-Type", "Accept"}) {
        Header h = request.getFirstHeader(name);
        if (h != null && h.getValue().contains(COMPAT_8)) {
          request.setHeader(name, "application/json");
        }
      }
    };
  }

  private static HttpResponseInterceptor assumeElasticsearchProduct() {
    return (response, context) -> {
      if (response.getFirstHeader(PRODUCT_HEADER) == null) {
        response.addHeader(PRODUCT_HEADER, "Elasticsearch");
      }
    };
  }

  ElasticsearchClient client() {
    return client;
  }

  ElasticsearchAsyncClient async() {
    return async;
  }

  @Override
  public void close() throws IOException {
    transport.close(); // closes the RestClient: aborts requests in flight
  }

  RestClient rest() {
    return rest;
  }
}
