package io.pumpd.core.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The env-var segment of a config field when it differs from its JSON key with the underscores
 * removed and upper-cased. Tyk Pump derives env names from Go field names, not JSON keys, so e.g.
 * JSON {@code use_sniffing} is env {@code ENABLESNIFFING} and {@code bucket} is {@code BUCKETNAME}
 * ({@code reference/tyk-pump.md} §4.6). Put it on the field that carries {@code @JsonProperty}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface EnvName {
  /** The upper-case segment, e.g. {@code "ENABLESNIFFING"}. */
  String value();
}
