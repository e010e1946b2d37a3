package io.pumpd.sinks.csv;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.RecordJson;
import java.time.Instant;
import java.time.Month;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tyk's CSV columns ({@code GetFieldNames} / {@code GetLineValues}) and Go's {@code encoding/csv}
 * quoting. Values as Tyk writes them: month as its English name, times as Go's {@code
 * time.String()} (in UTC here, any year: {@link #goTimeString}), city names as sorted {@code k:v;k:v}, tags joined with {@code ;},
 * latitude/longitude truncated to integers (Tyk formats them as unsigned integers). Stateless.
 */
final class CsvRecordFormat {
  static final List<String> HEADER = List.of(
      "Method", "Host", "Path", "RawPath", "ContentLength", "UserAgent", "Day", "Month", "Year",
      "Hour", "ResponseCode", "APIKey", "TimeStamp", "APIVersion", "APIName", "APIID", "OrgID",
      "OauthID", "RequestTime", "RawRequest", "RawResponse", "IPAddress",
      "GeoData.Country.ISOCode", "GeoData.City.GeoNameID", "GeoData.City.Names",
      "GeoData.Location.Latitude", "GeoData.Location.Longitude", "GeoData.Location.TimeZone",
      "NetworkStats.OpenConnections", "NetworkStats.ClosedConnection", "NetworkStats.BytesIn",
      "NetworkStats.BytesOut", "Latency.Total", "Latency.Upstream", "Tags", "Alias", "TrackPath",
      "ExpireAt");

  private CsvRecordFormat() {}

  static List<String> values(AnalyticsRecord r) {
    List<String> v = new ArrayList<>(HEADER.size());
    v.add(r.getMethod());
    v.add(r.getHost());
    v.add(r.getPath());
    v.add(r.getRawPath());
    v.add(Long.toString(r.getContentLength()));
    v.add(r.getUserAgent());
    v.add(Integer.toString(r.getDay()));
    v.add(monthName(r.getMonth()));
    v.add(Integer.toString(r.getYear()));
    v.add(Integer.toString(r.getHour()));
    v.add(Integer.toString(r.getResponseCode()));
    v.add(r.getApiKey());
    v.add(goTimeString(r.getTimeStamp()));
    v.add(r.getApiVersion());
    v.add(r.getApiName());
    v.add(r.getApiId());
    v.add(r.getOrgId());
    v.add(r.getOauthId());
    v.add(Long.toString(r.getRequestTime()));
    v.add(r.getRawRequest());
    v.add(r.getRawResponse());
    v.add(r.getIpAddress());
    GeoData g = r.getGeo();
    v.add(g.country().isoCode());
    v.add(Long.toString(g.city().geoNameId()));
    v.add(cityNames(g.city().names()));
    v.add(Long.toString((long) g.location().latitude()));
    v.add(Long.toString((long) g.location().longitude()));
    v.add(g.location().timeZone());
    v.add(Long.toString(r.getNetwork().openConnections()));
    v.add(Long.toString(r.getNetwork().closedConnection()));
    v.add(Long.toString(r.getNetwork().bytesIn()));
    v.add(Long.toString(r.getNetwork().bytesOut()));
    v.add(Long.toString(r.getLatency().total()));
    v.add(Long.toString(r.getLatency().upstream()));
    v.add(r.getTags() == null ? "" : String.join(";", r.getTags()));
    v.add(r.getAlias());
    v.add(Boolean.toString(r.isTrackPath()));
    v.add(goTimeString(r.getExpireAt()));
    return v;
  }

  /** One CSV line (with its trailing newline) with Go's {@code encoding/csv} quoting. */
  static String line(List<String> fields) {
    StringBuilder b = new StringBuilder(256);
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      String f = fields.get(i);
      if (needsQuotes(f)) {
        b.append('"').append(f.replace("\"", "\"\"")).append('"');
      } else {
        b.append(f);
      }
    }
    return b.append('\n').toString();
  }

  private static boolean needsQuotes(String f) {
    if (f.isEmpty()) {
      return false;
    }
    if (f.equals("\\.")) {
      return true;
    }
    for (int i = 0; i < f.length(); i++) {
      char c = f.charAt(i);
      if (c == ',' || c == '"' || c == '\r' || c == '\n') {
        return true;
      }
    }
    return Character.isWhitespace(f.charAt(0));
  }

  private static String monthName(int month) {
    if (month < 1 || month > 12) {
      return "%!Month(" + month + ")"; // what Go prints for an out-of-range time.Month
    }
    return Month.of(month).getDisplayName(TextStyle.FULL, Locale.ENGLISH);
  }

  private static String cityNames(Map<String, String> names) {
    if (names == null || names.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(names).entrySet()) {
      if (b.length() > 0) {
        b.append(';');
      }
      b.append(e.getKey()).append(':').append(e.getValue());
    }
    return b.toString();
  }

  /**
   * Go's {@code time.Time.String()} for a UTC time: {@code 2026-11-20 14:00:00.000922 +0000 UTC}.
   * Like Go, it takes any year: a sign only when negative, at least four digits ({@code
   * 10000-01-01 00:00:00 +0000 UTC}, {@code -1000000000-01-01 00:00:00 +0000 UTC}).
   */
  static String goTimeString(Instant t) {
    String iso = RecordJson.formatTime(t); // [+|-]yyyy-MM-ddTHH:mm:ss[.fraction]Z, total
    int from = iso.charAt(0) == '+' ? 1 : 0; // Go writes no '+' on years past 9999
    int tee = iso.indexOf('T');
    return new StringBuilder(iso.length() + 10)
        .append(iso, from, tee)
        .append(' ')
        .append(iso, tee + 1, iso.length() - 1)
        .append(" +0000 UTC")
        .toString();
  }
}
