package io.pumpd.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IgnorableFieldsTest {

  @Test
  void everyJsonFieldOfTheRecordCanBeIgnoredAndIsResetToItsZeroValue() {
    AnalyticsRecord full = Fixtures.records(Fixtures.MODERN).stream()
        .filter(r -> r.getGraphQLStats().isGraphQL() && r.getTags() != null).findFirst().orElseThrow();
    JsonNode zero = RecordJson.mapper().valueToTree(new AnalyticsRecord());
    List<String> names = new ArrayList<>();
    RecordJson.mapper().valueToTree(full).fieldNames().forEachRemaining(names::add);
    assertThat(names).hasSize(34);
    for (String name : names) {
      assertThat(IgnorableFields.isKnown(name)).as(name).isTrue();
      AnalyticsRecord c = full.copy();
      IgnorableFields.zero(c, name);
      JsonNode after = RecordJson.mapper().valueToTree(c);
      assertThat(after.get(name)).as(name).isEqualTo(zero.get(name));
    }
  }
}
