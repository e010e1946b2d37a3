package io.pumpd.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlCharactersTest {

  @Test
  void lineBreaksAndOtherControlsBecomeEscapesSoTheTextStaysOnOneLine() {
    assertThat(ControlCharacters.escape("evil\n2026-12-01T00:00:00.000Z INFO  [main] fake"))
        .isEqualTo("evil\\n2026-12-01T00:00:00.000Z INFO  [main] fake");
    assertThat(ControlCharacters.escape("a\r\nb\u0000c\u001b[31md\u007fe\u0085f\u2028g\u2029h"))
        .isEqualTo("a\\r\\nb\\u0000c\\u001b[31md\\u007fe\\u0085f\\u2028g\\u2029h");
  }

  @Test
  void tabsBackslashesAndNonAsciiTextAreLeftAlone() {
    String s = "tab\there C:\\dir \u00e9t\u00e9 \u65e5\u672c \ud83d\ude00";
    assertThat(ControlCharacters.escape(s)).isSameAs(s);
    assertThat(ControlCharacters.containsAny(s)).isFalse();
    assertThat(ControlCharacters.escape(null)).isNull();
  }

  @Test
  void everyCharacterThatIsEscapedIsOneThatCanBreakOrRewriteALine() {
    java.util.List<String> wrong = new java.util.ArrayList<>();
    for (char c = 0; c < 0xffff; c++) {
      boolean expected = (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f)
          || Character.getType(c) == Character.LINE_SEPARATOR
          || Character.getType(c) == Character.PARAGRAPH_SEPARATOR;
      String escaped = ControlCharacters.escape("x" + c + "y");
      if (ControlCharacters.isEscaped(c) != expected
          || escaped.chars().anyMatch(ch -> ControlCharacters.isEscaped((char) ch))) {
        wrong.add(String.format("U+%04X", (int) c));
      }
    }
    assertThat(wrong).isEmpty();
  }
}
