package io.pumpd.core.engine;

import io.pumpd.core.config.FilterConfig;
import io.pumpd.core.config.PumpEntry;
import io.pumpd.core.record.AnalyticsRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies a pump's common options to a batch, once, centrally (Tyk's {@code filterData}): in this
 * order per record, (1) {@code omit_detailed_recording} blanks the raw request/response, otherwise
 * {@code max_record_size} (the pump's, else the global one) truncates them; (2) {@code filters}
 * drop the record; (3) {@code ignore_fields} blank fields; (4) {@code raw_request_decoded} / {@code
 * raw_response_decoded} base64-decode the raw fields (left unchanged when not valid base64).
 *
 * <p>Records that need a change are copied; the shared decoded batch is never modified. When a pump
 * has no such option the batch is passed through as is. Immutable and thread-safe.
 */
public final class RecordPreparer {
  private final Set<String> orgIds;
  private final Set<String> apiIds;
  private final Set<Integer> responseCodes;
  private final Set<String> skipOrgIds;
  private final Set<String> skipApiIds;
  private final Set<Integer> skipResponseCodes;
  private final boolean omitDetailed;
  private final int maxRecordSize;
  private final List<String> ignoreFields;
  private final boolean decodeRequest;
  private final boolean decodeResponse;
  private final boolean passThrough;
  private final boolean filtering;

  /**
   * @param entry the pump's entry
   * @param globalMaxRecordSize top-level {@code max_record_size}, used when the pump's is 0
   * @param globalOmitDetailed top-level {@code omit_detailed_recording} (applies to every pump)
   */
  public RecordPreparer(PumpEntry entry, int globalMaxRecordSize, boolean globalOmitDetailed) {
    FilterConfig f = entry.filters();
    this.orgIds = new HashSet<>(f.orgIds());
    this.apiIds = new HashSet<>(f.apiIds());
    this.responseCodes = new HashSet<>(f.responseCodes());
    this.skipOrgIds = new HashSet<>(f.skipOrgIds());
    this.skipApiIds = new HashSet<>(f.skipApiIds());
    this.skipResponseCodes = new HashSet<>(f.skipResponseCodes());
    this.filtering = !f.isEmpty();
    this.omitDetailed = entry.omitDetailedRecording() || globalOmitDetailed;
    this.maxRecordSize = entry.maxRecordSize() > 0 ? entry.maxRecordSize() : globalMaxRecordSize;
    // unknown names were warned about when the config was loaded (as Tyk logs them)
    this.ignoreFields = entry.ignoreFields().stream().filter(IgnorableFields::isKnown).toList();
    this.decodeRequest = entry.rawRequestDecoded();
    this.decodeResponse = entry.rawResponseDecoded();
    this.passThrough = !filtering && !omitDetailed && maxRecordSize <= 0
        && ignoreFields.isEmpty() && !decodeRequest && !decodeResponse;
  }

  /** True when {@link #prepare} returns its input unchanged. */
  public boolean isPassThrough() {
    return passThrough;
  }

  /** The records this pump should receive, prepared; the input list and records are not changed. */
  public List<AnalyticsRecord> prepare(List<AnalyticsRecord> batch) {
    if (passThrough) {
      return batch;
    }
    List<AnalyticsRecord> out = new ArrayList<>(batch.size());
    for (AnalyticsRecord r : batch) {
      if (filtering && dropped(r)) {
        continue;
      }
      out.add(transform(r));
    }
    return out;
  }

  /** Tyk's {@code ShouldFilter}: block lists first, then non-empty allow lists. */
  boolean dropped(AnalyticsRecord r) {
    if (skipApiIds.contains(r.getApiId()) || skipOrgIds.contains(r.getOrgId())
        || skipResponseCodes.contains(r.getResponseCode())) {
      return true;
    }
    return (!apiIds.isEmpty() && !apiIds.contains(r.getApiId()))
        || (!orgIds.isEmpty() && !orgIds.contains(r.getOrgId()))
        || (!responseCodes.isEmpty() && !responseCodes.contains(r.getResponseCode()));
  }

  private AnalyticsRecord transform(AnalyticsRecord r) {
    boolean changes = omitDetailed || maxRecordSize > 0 || !ignoreFields.isEmpty()
        || decodeRequest || decodeResponse;
    if (!changes) {
      return r;
    }
    AnalyticsRecord c = r.copy();
    if (omitDetailed) {
      c.setRawRequest("");
      c.setRawResponse("");
    } else if (maxRecordSize > 0) {
      c.setRawRequest(truncate(c.getRawRequest(), maxRecordSize));
      c.setRawResponse(truncate(c.getRawResponse(), maxRecordSize));
    }
    for (String name : ignoreFields) {
      IgnorableFields.zero(c, name);
    }
    if (decodeRequest) {
      c.setRawRequest(base64Decoded(c.getRawRequest()));
    }
    if (decodeResponse) {
      c.setRawResponse(base64Decoded(c.getRawResponse()));
    }
    return c;
  }

  /**
   * The first {@code max} UTF-8 bytes of {@code s}, as Tyk cuts (byte position). A cut inside a
   * multi-byte character drops that character rather than producing invalid UTF-8.
   */
  static String truncate(String s, int max) {
    if (s.length() <= max / 3) {
      return s; // at most 3 bytes per UTF-16 unit: certainly short enough
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length <= max) {
      return s;
    }
    int end = max;
    while (end > 0 && (b[end] & 0xC0) == 0x80) {
      end--; // do not split a multi-byte sequence
    }
    return new String(b, 0, end, StandardCharsets.UTF_8);
  }

  private static String base64Decoded(String s) {
    if (s.isEmpty()) {
      return s;
    }
    try {
      return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
