package io.pumpd.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code analytics_storage_config.iam_auth}: Tyk Pump's GCP Memorystore IAM token auth ({@code
 * reference/tyk-pump.md} §2.5). Accepted so that Tyk configs parse; enabling it is reported as a
 * configuration problem because this daemon does not mint IAM tokens. Env: {@code
 * TYK_PMP_ANALYTICSSTORAGECONFIG_IAMAUTH_<FIELD>}.
 */
public final class IamAuthConfig {
  @JsonProperty("enabled")
  private boolean enabled;

  /** Only {@code gcp} in Tyk Pump. */
  @JsonProperty("provider")
  private String provider = "";

  @JsonProperty("service_account")
  private String serviceAccount = "";

  /** A Go duration, default {@code 5m}. */
  @JsonProperty("token_refresh_before_expiry")
  private String tokenRefreshBeforeExpiry = "5m";

  public boolean enabled() {
    return enabled;
  }

  public String provider() {
    return provider == null ? "" : provider;
  }

  public String serviceAccount() {
    return serviceAccount == null ? "" : serviceAccount;
  }

  public String tokenRefreshBeforeExpiry() {
    return tokenRefreshBeforeExpiry == null ? "5m" : tokenRefreshBeforeExpiry;
  }
}
