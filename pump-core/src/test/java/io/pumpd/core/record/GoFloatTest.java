package io.pumpd.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link RecordJson#formatFloat} against what Go's {@code encoding/json} prints for a float64. */
class GoFloatTest {
  private static final long SEED = Long.getLong("pump.test.seed", 20261120L);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // value (Java literal)      | json.Marshal(float64(value)) in Go
        "0                           | 0",
        "-0.0                        | -0",
        "1                           | 1",
        "1234                        | 1234",
        "-5678                       | -5678",
        "12.3456                     | 12.3456",
        "-78.9012                    | -78.9012",
        "123456789                   | 123456789",
        "1.2897                      | 1.2897",
        "103.8501                    | 103.8501",
        "0.1                         | 0.1",
        "0.30000000000000004         | 0.30000000000000004",
        "100                         | 100",
        "1e15                        | 1000000000000000",
        "1e20                        | 100000000000000000000",
        "1.5933955153907886E18       | 1593395515390788600",
        "9007199254740993            | 9007199254740992",
        "0.000001                    | 0.000001",
        "0.0000012345                | 0.0000012345",
        "9.999999e-7                 | 9.999999e-7",
        "5e-7                        | 5e-7",
        "1e-7                        | 1e-7",
        "1e-9                        | 1e-9",
        "-2.236734e-9                | -2.236734e-9",
        "1e-10                       | 1e-10",
        "1.5e-100                    | 1.5e-100",
        "1e21                        | 1e+21",
        "1.5e21                      | 1.5e+21",
        "1.23456789e28               | 1.23456789e+28",
        "1e23                        | 1e+23",
        "2e23                        | 2e+23",
        "4.9E-324                    | 5e-324",
        "-4.9E-324                   | -5e-324",
        "1.7976931348623157E308      | 1.7976931348623157e+308",
        "-1.7976931348623157E308     | -1.7976931348623157e+308",
        "2.2250738585072014E-308     | 2.2250738585072014e-308",
      })
  void rendersAsGoEncodingJson(String value, String go) {
    assertThat(RecordJson.formatFloat(Double.parseDouble(value))).isEqualTo(go);
  }

  @Test
  void nanAndInfinitiesRenderAsNull() {
    assertThat(RecordJson.formatFloat(Double.NaN)).isEqualTo("null");
    assertThat(RecordJson.formatFloat(Double.POSITIVE_INFINITY)).isEqualTo("null");
    assertThat(RecordJson.formatFloat(Double.NEGATIVE_INFINITY)).isEqualTo("null");
  }

  /**
   * Random doubles of every kind against an independent oracle: the shortest decimal that parses
   * back (closest to the exact value among the shortest), laid out per encoding/json's rules.
   */
  @Test
  void randomDoublesMatchTheShortestRoundTripOracle() {
    Random rnd = new Random(SEED);
    for (int i = 0; i < 20_000; i++) {
      double d =
          switch (i % 5) {
            case 0 -> Double.longBitsToDouble(rnd.nextLong());
            case 1 -> rnd.nextDouble() * Math.pow(10, rnd.nextInt(60) - 30);
            case 2 -> Double.parseDouble((1 + rnd.nextInt(99)) + "E" + (rnd.nextInt(640) - 330));
            case 3 -> Double.longBitsToDouble(rnd.nextInt(1 << 20)); // subnormals
            default -> (rnd.nextInt(360_000_000) - 180_000_000) / 1e6; // coordinates
          };
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        continue;
      }
      String got = RecordJson.formatFloat(d);
      assertThat(got).as("seed=%d i=%d d=%s", SEED, i, d).isEqualTo(oracle(d));
    }
  }

  private static String oracle(double d) {
    if (d == 0) {
      return 1 / d < 0 ? "-0" : "0";
    }
    BigDecimal exact = new BigDecimal(d);
    BigDecimal shortest = null;
    for (int p = 1; shortest == null; p++) {
      BigDecimal near = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (near.doubleValue() == d) {
        shortest = near;
      } else {
        RoundingMode other = near.compareTo(exact) > 0 ? RoundingMode.FLOOR : RoundingMode.CEILING;
        BigDecimal o = exact.round(new MathContext(p, other));
        if (o.doubleValue() == d) {
          shortest = o;
        }
      }
    }
    shortest = shortest.stripTrailingZeros();
    double abs = Math.abs(d);
    if (abs >= 1e-6 && abs < 1e21) {
      return shortest.toPlainString();
    }
    String digits = shortest.unscaledValue().abs().toString();
    int exp = shortest.precision() - shortest.scale() - 1;
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String e = exp < 0 ? "-" + (-exp) : "+" + (exp < 10 ? "0" : "") + exp;
    return (d < 0 ? "-" : "") + mantissa + "e" + e;
  }
}
