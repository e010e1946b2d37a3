package io.pumpd.sinks.stdout;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.config.SelfValidating;

/**
 * {@code meta} of a {@code stdout} pump (Tyk's StdOutConf). Env: {@code
 * TYK_PMP_PUMPS_STDOUT_META_FORMAT}, {@code _LOGFIELDNAME}, {@code _USELEGACYPAYLOADFORMAT}.
 */
public final class StdoutSettings implements SelfValidating {
  /** {@code json} prints one JSON object per line; anything else prints Tyk-style text lines. */
  @JsonProperty("format")
  private String format = "";

  /** The key the record is nested under. */
  @JsonProperty("log_field_name")
  private String logFieldName = "tyk-analytics-record";

  /**
   * Tyk 1.15 cleans raw_request/raw_response in JSON output (whitespace collapsed, JSON bodies
   * compacted); true keeps them as they are, like older releases.
   */
  @JsonProperty("use_legacy_payload_format")
  private boolean useLegacyPayloadFormat;

  public boolean json() {
    return "json".equalsIgnoreCase(format);
  }

  public String logFieldName() {
    return logFieldName == null || logFieldName.isEmpty() ? "tyk-analytics-record" : logFieldName;
  }

  public boolean useLegacyPayloadFormat() {
    return useLegacyPayloadFormat;
  }

  @Override
  public void validate(ConfigProblems problems) {
    if (format != null && !format.isEmpty() && !format.equalsIgnoreCase("json")
        && !format.equalsIgnoreCase("text")) {
      problems.add("format", "\"" + format + "\" is not a format; use \"json\" or \"text\"");
    }
  }
}
