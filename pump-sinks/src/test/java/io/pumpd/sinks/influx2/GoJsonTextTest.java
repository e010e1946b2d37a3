package io.pumpd.sinks.influx2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Tyk's tag text: Go's json.Marshal output with the quotes trimmed. */
class GoJsonTextTest {

  @Test
  @DisplayName("Tyk trims every leading and trailing quote (strings.Trim)")
  void trim() {
    assertThat(GoJsonText.tagText("abc\"")).isEqualTo("abc\\");
    assertThat(GoJsonText.trimQuotes("\"\"")).isEmpty();
  }

  @Test
  @DisplayName("tag text is escaped as Go escapes strings")
  void tagTextIsGoEscaped() {
    assertThat(GoJsonText.tagText("<a>&\n\u2028")).isEqualTo("\\u003ca\\u003e\\u0026\\n\\u2028");
  }
}
