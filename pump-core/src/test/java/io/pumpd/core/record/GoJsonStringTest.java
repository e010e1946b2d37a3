package io.pumpd.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's json.Marshal string output, as printed by Go 1.22 for the same inputs. */
class GoJsonStringTest {

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
    assertThat(GoJsonString.quote(in)).isEqualTo(expected);
  }

  @Test
  @DisplayName("control characters, line separators and lone surrogates")
  void controlCharacters() {
    assertThat(GoJsonString.quote("\b\f\n\r\t\u0001\u001f"))
        .isEqualTo("\"\\b\\f\\n\\r\\t\\u0001\\u001f\"");
    assertThat(GoJsonString.quote("\u2028\u2029")).isEqualTo("\"\\u2028\\u2029\"");
    assertThat(GoJsonString.quote("x\ud800y")).isEqualTo("\"x\ufffdy\"");
    assertThat(GoJsonString.quote("del\u007f /")).isEqualTo("\"del\u007f /\"");
  }

  @Test
  @DisplayName("the escape of one character")
  void escapeOf() {
    assertThat(GoJsonString.escapeOf('<')).isEqualTo("\\u003c");
    assertThat(GoJsonString.escapeOf('\u001b')).isEqualTo("\\u001b");
    assertThat(GoJsonString.escapeOf('\n')).isEqualTo("\\n");
    assertThat(GoJsonString.escapeOf('\u2029')).isEqualTo("\\u2029");
    assertThat(GoJsonString.escapeOf('a')).isNull();
    assertThat(GoJsonString.escapeOf('é')).isNull();
    assertThat(GoJsonString.escapeOf(-1)).isNull();
  }

  @Test
  @DisplayName("RecordJson's mapper writes every character as quote() does, as text and as bytes")
  void mapperAgreesWithQuoteOnEveryCharacter() throws Exception {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < Character.MIN_SURROGATE; c++) {
      all.append(c);
    }
    for (int c = Character.MAX_SURROGATE + 1; c <= Character.MAX_VALUE; c++) {
      all.append((char) c);
    }
    all.append("😀");
    String s = all.toString();

    String expected = GoJsonString.quote(s);
    assertThat(RecordJson.mapper().writeValueAsString(s)).isEqualTo(expected);
    assertThat(new String(RecordJson.mapper().writeValueAsBytes(s), StandardCharsets.UTF_8))
        .isEqualTo(expected);
  }
}
