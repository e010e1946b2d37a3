package io.pumpd.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One entry under {@code pumps} ({@code reference/tyk-pump.md} §4.5): the type, the options the
 * core applies for every pump (filters, timeout, trimming, ignored fields, raw decoding) and the
 * sink-specific {@code meta}, kept as JSON until it is bound to the type's settings class.
 */
public final class PumpEntry implements SelfValidating {
  @JsonProperty("type")
  private String type = "";

  /** Deprecated and ignored, as in Tyk. */
  @JsonProperty("name")
  private String name = "";

  @JsonProperty("filters")
  private FilterConfig filters = new FilterConfig();

  /** Seconds; 0 means no limit. */
  @JsonProperty("timeout")
  private int timeout;

  @JsonProperty("omit_detailed_recording")
  private boolean omitDetailedRecording;

  @JsonProperty("max_record_size")
  private int maxRecordSize;

  @JsonProperty("ignore_fields")
  private List<String> ignoreFields = List.of();

  @JsonProperty("raw_request_decoded")
  @EnvName("DECODERAWREQUEST")
  private boolean rawRequestDecoded;

  @JsonProperty("raw_response_decoded")
  @EnvName("DECODERAWRESPONSE")
  private boolean rawResponseDecoded;

  /**
   * at_least_once: this pump's backlog bound in records, overriding {@code
   * delivery.max_backlog_records}; 0 = the global value. This daemon's addition.
   */
  @JsonProperty("max_backlog_records")
  private long maxBacklogRecords;

  /** at_least_once: this pump's backlog bound in bytes; 0 = {@code delivery.max_backlog_bytes}. */
  @JsonProperty("max_backlog_bytes")
  private long maxBacklogBytes;

  @JsonProperty("meta")
  private ObjectNode meta = JsonNodeFactory.instance.objectNode();

  public String type() {
    return type == null ? "" : type;
  }

  public FilterConfig filters() {
    return filters == null ? new FilterConfig() : filters;
  }

  public int timeoutSeconds() {
    return timeout;
  }

  public boolean omitDetailedRecording() {
    return omitDetailedRecording;
  }

  public int maxRecordSize() {
    return maxRecordSize;
  }

  public List<String> ignoreFields() {
    return ignoreFields == null ? List.of() : ignoreFields;
  }

  public boolean rawRequestDecoded() {
    return rawRequestDecoded;
  }

  public boolean rawResponseDecoded() {
    return rawResponseDecoded;
  }

  /** This pump's backlog bound in records; 0 means the global {@code delivery} value. */
  public long maxBacklogRecords() {
    return maxBacklogRecords;
  }

  /** This pump's backlog bound in bytes; 0 means the global {@code delivery} value. */
  public long maxBacklogBytes() {
    return maxBacklogBytes;
  }

  /** The raw {@code meta} object (file values with env overrides already applied). */
  public ObjectNode meta() {
    return meta == null ? JsonNodeFactory.instance.objectNode() : meta;
  }

  /** The deprecated, ignored {@code name}. */
  public String name() {
    return name == null ? "" : name;
  }

  /** Checks the options the core applies; the type is checked by the loader, meta by the settings. */
  @Override
  public void validate(ConfigProblems problems) {
    if (timeout < 0) {
      problems.add("timeout", "must be >= 0 seconds (0 = no limit)");
    }
    if (maxRecordSize < 0) {
      problems.add("max_record_size", "must be >= 0 bytes (0 = no trimming)");
    }
    if (maxBacklogRecords < 0) {
      problems.add("max_backlog_records", "must be >= 0 records (0 = delivery.max_backlog_records)");
    }
    if (maxBacklogBytes < 0) {
      problems.add("max_backlog_bytes", "must be >= 0 bytes (0 = delivery.max_backlog_bytes)");
    }
  }
}
