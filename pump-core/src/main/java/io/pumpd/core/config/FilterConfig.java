package io.pumpd.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A pump's {@code filters}: allow lists and block lists on org, API and response code. Block
 * lists are checked first; a record is dropped when it is in any block list, or not in a non-empty
 * allow list ({@code reference/tyk-pump.md} §4.5). Env names follow Tyk's Go field names.
 */
public final class FilterConfig {
  @JsonProperty("org_ids")
  @EnvName("ORGSIDS")
  private List<String> orgIds = List.of();

  @JsonProperty("api_ids")
  @EnvName("APIIDS")
  private List<String> apiIds = List.of();

  @JsonProperty("response_codes")
  @EnvName("RESPONSECODES")
  private List<Integer> responseCodes = List.of();

  @JsonProperty("skip_org_ids")
  @EnvName("SKIPPEDORGSIDS")
  private List<String> skipOrgIds = List.of();

  @JsonProperty("skip_api_ids")
  @EnvName("SKIPPEDAPIIDS")
  private List<String> skipApiIds = List.of();

  @JsonProperty("skip_response_codes")
  @EnvName("SKIPPEDRESPONSECODES")
  private List<Integer> skipResponseCodes = List.of();

  public List<String> orgIds() {
    return nonNull(orgIds);
  }

  public List<String> apiIds() {
    return nonNull(apiIds);
  }

  public List<Integer> responseCodes() {
    return nonNull(responseCodes);
  }

  public List<String> skipOrgIds() {
    return nonNull(skipOrgIds);
  }

  public List<String> skipApiIds() {
    return nonNull(skipApiIds);
  }

  public List<Integer> skipResponseCodes() {
    return nonNull(skipResponseCodes);
  }

  /** True when no list is set, so no record is ever dropped. */
  public boolean isEmpty() {
    return orgIds().isEmpty() && apiIds().isEmpty() && responseCodes().isEmpty()
        && skipOrgIds().isEmpty() && skipApiIds().isEmpty() && skipResponseCodes().isEmpty();
  }

  private static <T> List<T> nonNull(List<T> l) {
    return l == null ? List.of() : l;
  }
}
