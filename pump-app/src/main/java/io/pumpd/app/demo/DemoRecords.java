package io.pumpd.app.demo;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.Latency;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates plausible request records, as a gateway in front of a few APIs would record them:
 * methods, paths, keys and orgs from small pools, mostly 2xx with some 4xx/5xx, latency split,
 * geo data for some clients, the gateway's {@code key-}/{@code org-}/{@code api-} tags, and an
 * {@code ExpireAt} a month ahead. Every record gets a unique {@code APIKey} suffix so that a reader
 * can check that each appears exactly once. Not thread-safe (holds a {@link Random}).
 */
public final class DemoRecords {
  private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH"};
  private static final String[] APIS = {"payments", "catalog", "accounts"};
  private static final String[] PATHS = {"/", "/items", "/items/{id}", "/orders", "/health", "/search"};
  private static final String[] AGENTS = {"curl/8.5.0", "python-requests/2.31", "Mozilla/5.0", ""};
  private static final GeoData[] GEOS = {
    GeoData.EMPTY,
    new GeoData(new GeoData.Country("SG"), new GeoData.City(1880252, Map.of("en", "Singapore")),
        new GeoData.Location(1.2897, 103.8501, "Asia/Singapore")),
    new GeoData(new GeoData.Country("GB"), new GeoData.City(2643743, Map.of("en", "London")),
        new GeoData.Location(51.5085, -0.1257, "Europe/London")),
  };

  private final Random random;
  private final String orgId;
  private long sequence;

  /**
   * @param seed makes the sequence reproducible
   * @param orgId the organisation every record belongs to
   */
  public DemoRecords(long seed, String orgId) {
    this.random = new Random(seed);
    this.orgId = orgId;
  }

  /** {@code n} records with timestamps spread over the last minute before {@code now}. */
  public List<AnalyticsRecord> next(int n, Instant now) {
    List<AnalyticsRecord> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(one(now.minus(Duration.ofMillis(random.nextInt(60_000)))));
    }
    return out;
  }

  private AnalyticsRecord one(Instant at) {
    String api = APIS[random.nextInt(APIS.length)];
    String apiId = Integer.toHexString(api.hashCode()) + "00000000000000000000000000000000";
    apiId = apiId.substring(0, 32);
    String path = "/" + api + PATHS[random.nextInt(PATHS.length)];
    String key = "demo" + Long.toHexString(random.nextLong() & 0xffffffL) + "-" + (sequence++);
    int code = code();
    long total = 5 + random.nextInt(400);
    long upstream = Math.max(0, total - 1 - random.nextInt(20));
    ZonedDateTime t = at.atZone(ZoneOffset.UTC);
    String method = METHODS[random.nextInt(METHODS.length)];
    AnalyticsRecord r = new AnalyticsRecord()
        .setMethod(method)
        .setHost(api + ".upstream.internal")
        .setPath(path)
        .setRawPath(path)
        .setContentLength(method.equals("GET") ? 0 : random.nextInt(4096))
        .setUserAgent(AGENTS[random.nextInt(AGENTS.length)])
        .setDay(t.getDayOfMonth())
        .setMonth(t.getMonthValue())
        .setYear(t.getYear())
        .setHour(t.getHour())
        .setResponseCode(code)
        .setApiKey(key)
        .setTimeStamp(at)
        .setApiVersion("Non Versioned")
        .setApiName(api)
        .setApiId(apiId)
        .setOrgId(orgId)
        .setRequestTime(total)
        .setIpAddress("10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256))
        .setGeo(GEOS[random.nextInt(GEOS.length)])
        .setLatency(new Latency(total, upstream, total - upstream))
        .setTags(List.of("key-" + key, "org-" + orgId, "api-" + apiId))
        .setTrackPath(random.nextBoolean())
        .setExpireAt(at.plus(Duration.ofDays(30)))
        .setOriginalPath(path)
        .setListenPath("/" + api + "/");
    if (random.nextInt(10) == 0) {
      String raw = method + " " + path + " HTTP/1.1\r\nHost: " + api + "\r\n\r\n";
      r.setRawRequest(Base64.getEncoder().encodeToString(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return r;
  }

  private int code() {
    int p = random.nextInt(100);
    if (p < 80) {
      return 200;
    }
    if (p < 88) {
      return 201;
    }
    if (p < 94) {
      return 404;
    }
    if (p < 97) {
      return 403;
    }
    return 500;
  }
}
