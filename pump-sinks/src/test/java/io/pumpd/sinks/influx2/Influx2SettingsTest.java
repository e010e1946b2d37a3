package io.pumpd.sinks.influx2;

import static io.pumpd.sinks.influx2.Influx2TestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.core.config.ConfigProblems;
import io.pumpd.sinks.testing.SettingsEnvNames;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class Influx2SettingsTest {

  @Test
  @DisplayName("env segments are Tyk's (Go field names): ADDR, ORGNAME, BUCKETNAME, ...")
  void envNames() {
    assertThat(SettingsEnvNames.of(Influx2Settings.class))
        .containsAllEntriesOf(Map.of(
            "address", "ADDR",
            "token", "TOKEN",
            "organization", "ORGNAME",
            "bucket", "BUCKETNAME",
            "create_missing_bucket", "CREATEMISSINGBUCKET",
            "new_bucket_config", "NEWBUCKETCONFIG",
            "fields", "FIELDS",
            "tags", "TAGS",
            "flush", "FLUSH"));
    assertThat(SettingsEnvNames.of(Influx2Settings.NewBucketConfig.class)).containsEntry("description", "DESCRIPTION");
  }

  @Test
  @DisplayName("Tyk's JSON binds; the token is a masked secret")
  void binds() {
    Influx2Settings s = settings("{\"address\":\"http://influx:8086\",\"token\":\"t0k\",\"organization\":\"o\","
        + "\"bucket\":\"b\",\"create_missing_bucket\":true,\"flush\":true,\"tags\":[\"path\", \" method\"],"
        + "\"new_bucket_config\":{\"description\":\"d\",\"retention_rules\":[{\"every_seconds\":60,\"type\":\"expire\"}]}}");
    assertThat(s.token().reveal()).isEqualTo("t0k");
    assertThat(s.token().toString()).isEqualTo("****");
    assertThat(s.tags()).containsExactly("path", "method");
    assertThat(s.newBucketConfig().retentionRules()).singleElement()
        .satisfies(r -> assertThat(r.everySeconds()).isEqualTo(60));
    assertThat(s.verifyBucket()).isTrue();
    assertThat(s.batchSize()).isEqualTo(5000);
    assertThat(problems(s).all()).isEmpty();
  }

  @Test
  @DisplayName("unknown tag or field names, a missing address/org/bucket and bad rules are all reported")
  void validation() {
    Influx2Settings s = settings("{\"tags\":[\"path\",\"nope\"],\"fields\":[\"request_time\",\"latency\"],"
        + "\"batch_size\":0,\"new_bucket_config\":{\"retention_rules\":[{\"every_seconds\":-1,\"type\":\"keep\"}]}}");
    assertThat(problems(s).all()).extracting(ConfigProblems.Problem::key)
        .containsExactlyInAnyOrder("address", "organization", "bucket", "tags", "fields", "batch_size",
            "new_bucket_config.retention_rules[0].every_seconds", "new_bucket_config.retention_rules[0].type");
    assertThat(problems(s).all()).filteredOn(p -> p.key().equals("tags")).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("'nope'").contains("upstream_latency"));
  }

  private static ConfigProblems problems(Influx2Settings s) {
    ConfigProblems p = new ConfigProblems();
    s.validate(p);
    return p;
  }
}
