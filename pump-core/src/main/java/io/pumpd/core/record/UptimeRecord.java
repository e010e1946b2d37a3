package io.pumpd.core.record;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;

/**
 * One host-checker result (Go {@code UptimeReportData}), read from {@code
 * host-checker:tyk-uptime-analytics}. msgpack keys are the Go field names; JSON keys are the json
 * tags of Tyk Pump's twin struct (with its {@code _id}). Mutable, not thread-safe; strings are never
 * {@code null}.
 */
@JsonAutoDetect(
    fieldVisibility = Visibility.ANY,
    getterVisibility = Visibility.NONE,
    isGetterVisibility = Visibility.NONE,
    setterVisibility = Visibility.NONE)
@JsonPropertyOrder({
  "_id", "url", "request_time", "response_code", "tcp_error", "server_error", "day", "month",
  "year", "hour", "minute", "timestamp", "expireAt", "api_id", "org_id"
})
public final class UptimeRecord {
  @JsonProperty("_id")
  private String id = "";

  @JsonProperty("url")
  private String url = "";

  @JsonProperty("request_time")
  private long requestTime;

  @JsonProperty("response_code")
  private int responseCode;

  @JsonProperty("tcp_error")
  private boolean tcpError;

  @JsonProperty("server_error")
  private boolean serverError;

  @JsonProperty("day")
  private int day;

  @JsonProperty("month")
  private int month;

  @JsonProperty("year")
  private int year;

  @JsonProperty("hour")
  private int hour;

  @JsonProperty("minute")
  private int minute;

  @JsonProperty("timestamp")
  private Instant timeStamp = GoTime.ZERO;

  @JsonProperty("expireAt")
  private Instant expireAt = GoTime.ZERO;

  @JsonProperty("api_id")
  private String apiId = "";

  @JsonProperty("org_id")
  private String orgId = "";

  /** Go field {@code ID} (pump side only; gateways do not write it). */
  public String getId() {
    return id;
  }

  public UptimeRecord setId(String v) {
    id = v == null ? "" : v;
    return this;
  }

  /** Go field {@code URL}. */
  public String getUrl() {
    return url;
  }

  public UptimeRecord setUrl(String v) {
    url = v == null ? "" : v;
    return this;
  }

  /** Go field {@code RequestTime}. */
  public long getRequestTime() {
    return requestTime;
  }

  public UptimeRecord setRequestTime(long v) {
    requestTime = v;
    return this;
  }

  /** Go field {@code ResponseCode}; 521 on a TCP error. */
  public int getResponseCode() {
    return responseCode;
  }

  public UptimeRecord setResponseCode(int v) {
    responseCode = v;
    return this;
  }

  /** Go field {@code TCPError}. */
  public boolean isTcpError() {
    return tcpError;
  }

  public UptimeRecord setTcpError(boolean v) {
    tcpError = v;
    return this;
  }

  /** Go field {@code ServerError}. */
  public boolean isServerError() {
    return serverError;
  }

  public UptimeRecord setServerError(boolean v) {
    serverError = v;
    return this;
  }

  /** Go field {@code Day}. */
  public int getDay() {
    return day;
  }

  public UptimeRecord setDay(int v) {
    day = v;
    return this;
  }

  /** Go field {@code Month}. */
  public int getMonth() {
    return month;
  }

  public UptimeRecord setMonth(int v) {
    month = v;
    return this;
  }

  /** Go field {@code Year}. */
  public int getYear() {
    return year;
  }

  public UptimeRecord setYear(int v) {
    year = v;
    return this;
  }

  /** Go field {@code Hour}. */
  public int getHour() {
    return hour;
  }

  public UptimeRecord setHour(int v) {
    hour = v;
    return this;
  }

  /** Go field {@code Minute}. */
  public int getMinute() {
    return minute;
  }

  public UptimeRecord setMinute(int v) {
    minute = v;
    return this;
  }

  /** Go field {@code TimeStamp}. */
  public Instant getTimeStamp() {
    return timeStamp;
  }

  public UptimeRecord setTimeStamp(Instant v) {
    timeStamp = v == null ? GoTime.ZERO : v;
    return this;
  }

  /** Go field {@code ExpireAt}. */
  public Instant getExpireAt() {
    return expireAt;
  }

  public UptimeRecord setExpireAt(Instant v) {
    expireAt = v == null ? GoTime.ZERO : v;
    return this;
  }

  /** Go field {@code APIID}. */
  public String getApiId() {
    return apiId;
  }

  public UptimeRecord setApiId(String v) {
    apiId = v == null ? "" : v;
    return this;
  }

  /** Go field {@code OrgID}. */
  public String getOrgId() {
    return orgId;
  }

  public UptimeRecord setOrgId(String v) {
    orgId = v == null ? "" : v;
    return this;
  }

  @Override
  public String toString() {
    return "UptimeRecord{" + url + " " + responseCode + " at " + timeStamp + "}";
  }
}
