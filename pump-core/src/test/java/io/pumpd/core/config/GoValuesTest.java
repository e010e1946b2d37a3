package io.pumpd.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Env value parsing matches Go's strconv as used by Tyk's envconfig. */
class GoValuesTest {

  @ParameterizedTest
  @CsvSource({"1,true", "t,true", "T,true", "TRUE,true", "true,true", "True,true",
      "0,false", "f,false", "F,false", "FALSE,false", "false,false", "False,false"})
  void parseBoolAcceptsExactlyGosForms(String in, boolean expected) {
    assertThat(GoValues.parseBool(in)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "no", "tRUE", "on", "", " true", "2"})
  void parseBoolRejectsEverythingElse(String in) {
    assertThatThrownBy(() -> GoValues.parseBool(in)).hasMessageContaining("is not a boolean");
  }

  @ParameterizedTest
  @CsvSource({"10,10", "-7,-7", "+7,7", "0,0", "0x1F,31", "0X1f,31", "0o17,15", "017,15",
      "0b101,5", "1_000,1000", "0x_1F,31", "2147483647,2147483647"})
  void parseIntUsesBaseZeroLikeStrconv(String in, long expected) {
    assertThat(GoValues.parseInt(in, 32)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "", "08", "1__0", "_1", "1_", "0x", "1.5", "--1", " 1", "0b2"})
  void parseIntRejectsWhatGoRejects(String in) {
    assertThatThrownBy(() -> GoValues.parseInt(in, 64)).hasMessageContaining("is not an integer");
  }

  @Test
  void parseIntChecksTheFieldsRange() {
    assertThatThrownBy(() -> GoValues.parseInt("2147483648", 32)).hasMessageContaining("out of range");
    assertThat(GoValues.parseInt("2147483648", 64)).isEqualTo(2147483648L);
    assertThatThrownBy(() -> GoValues.parseInt("99999999999999999999", 64))
        .hasMessageContaining("out of range");
  }

  @Test
  void listsAndMapsUseEnvconfigsSeparators() {
    assertThat(GoValues.splitList("a, b,c")).containsExactly("a", "b", "c");
    assertThat(GoValues.splitList("")).isEmpty();
    assertThat(GoValues.splitList("a,,b")).isEqualTo(List.of("a", "", "b"));
    assertThat(GoValues.splitMap("h1:6379, h2:6380")).isEqualTo(Map.of("h1", "6379", "h2", "6380"));
    assertThat(GoValues.splitMap("url:http://x:1")).isEqualTo(Map.of("url", "http://x:1"));
    assertThatThrownBy(() -> GoValues.splitMap("h1")).hasMessageContaining("key:value");
  }
}
