package io.pumpd.sinks.influx2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's json.Marshal string output, as printed by Go 1.22 for the same inputs. */
class GoJsonTextTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "plain | \"plain\"",
        "a\"b | \"a\\\"b\"",
        "back\\slash | \"back\\\\slash\"",
        "<script>&amp; | \"\\u003cscript\\u003e\\u0026amp;\"",
        "日本語 😀 | \"日本語 😀\"",
      })
  @DisplayName("printable input")
  void printable(String in, String expected) {
    assertThat(GoJsonText.quote(in)).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  @DisplayName("control characters, line separators and lone surrogates")
  void controlCharacters() {
    assertThat(GoJsonText.quote("\b\f\n\r\t\u0001\u001f")).isEqualTo("\"\\b\\f\\n\\r\\t\\u0001\\u001f\"");
    assertThat(GoJsonText.quote("\u2028\u2029")).isEqualTo("\"\\u2028\\u2029\"");
    assertThat(GoJsonText.quote("x\ud800y")).isEqualTo("\"x\ufffdy\"");
  }

  @org.junit.jupiter.api.Test
  @DisplayName("Tyk trims every leading and trailing quote (strings.Trim)")
  void trim() {
    assertThat(GoJsonText.trimQuotes(GoJsonText.quote("abc\""))).isEqualTo("abc\\");
    assertThat(GoJsonText.trimQuotes("\"\"")).isEmpty();
  }
}
