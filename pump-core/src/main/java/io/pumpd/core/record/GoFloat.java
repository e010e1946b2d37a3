package io.pumpd.core.record;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.math.BigDecimal;

/**
 * Go's {@code encoding/json} rendering of a {@code float64}: the shortest decimal that parses back
 * to the same double ({@code strconv.FormatFloat(f, 'f', -1, 64)}) for {@code 1e-6 <= |f| < 1e21},
 * otherwise the shortest {@code 'e'} form with encoding/json's exponent clean-up ({@code 1e-7},
 * {@code 1.5e+21}, {@code 5e-324}, {@code 1.7976931348623157e+308}); {@code -0} for negative zero.
 *
 * <p>JDK 17's {@link Double#toString(double)} is not always the shortest ({@code 1e23} prints as
 * {@code 9.999999999999999E22}); the digits come from Jackson's Schubfach writer instead (shortest,
 * closest to the exact value), with one correction: its specification prefers a two-digit result
 * when the shortest has one digit and a two-digit decimal is closer ({@code 4.9E-324}), where Go
 * keeps the single digit ({@code 5e-324}).
 *
 * <p>Stateless and thread-safe.
 */
final class GoFloat {
  private GoFloat() {}

  /**
   * {@code d} as Go's {@code encoding/json} writes it; NaN and infinities (which Go refuses to
   * encode) as {@code null}.
   */
  static String format(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return "null";
    }
    if (d == 0) {
      return Double.doubleToRawLongBits(d) == 0 ? "0" : "-0";
    }
    if (d == (long) d && Math.abs(d) < 1e15) {
      return Long.toString((long) d); // below 10^15 an integral double's digits are its shortest form
    }
    Decimal dec = Decimal.parse(NumberOutput.toString(d, true));
    if (dec.digits.length() == 2) {
      dec = dec.oneDigitIfRoundTrips(d);
    }
    double abs = Math.abs(d);
    return abs < 1e-6 || abs >= 1e21 ? dec.exponentForm() : dec.plainForm();
  }

  /** A decimal {@code ±d.ddd × 10^exponent}; {@code digits} has no leading or trailing zeros. */
  private static final class Decimal {
    final boolean negative;
    final String digits;
    final int exponent;

    Decimal(boolean negative, String digits, int exponent) {
      this.negative = negative;
      this.digits = digits;
      this.exponent = exponent;
    }

    /** Parses Java's {@code [-]int.frac[E[-]exp]} rendering of a finite non-zero double. */
    static Decimal parse(String s) {
      boolean negative = s.charAt(0) == '-';
      int i = negative ? 1 : 0;
      int e = s.indexOf('E');
      int mantissaEnd = e < 0 ? s.length() : e;
      int exp10 = e < 0 ? 0 : Integer.parseInt(s, e + 1, s.length(), 10);
      StringBuilder all = new StringBuilder(mantissaEnd - i);
      int point = -1;
      for (; i < mantissaEnd; i++) {
        char c = s.charAt(i);
        if (c == '.') {
          point = all.length();
        } else {
          all.append(c);
        }
      }
      if (point < 0) {
        point = all.length();
      }
      int lead = 0;
      while (lead < all.length() - 1 && all.charAt(lead) == '0') {
        lead++;
      }
      int trail = all.length();
      while (trail > lead + 1 && all.charAt(trail - 1) == '0') {
        trail--;
      }
      return new Decimal(negative, all.substring(lead, trail), point - 1 - lead + exp10);
    }

    /**
     * The one-digit decimal nearest to {@code d} that parses back to it, when one exists (Go's
     * shortest); otherwise this two-digit decimal.
     */
    Decimal oneDigitIfRoundTrips(double d) {
      int first = digits.charAt(0) - '0';
      Decimal down = new Decimal(negative, Integer.toString(first), exponent);
      Decimal up =
          first == 9
              ? new Decimal(negative, "1", exponent + 1)
              : new Decimal(negative, Integer.toString(first + 1), exponent);
      boolean downOk = down.doubleValue() == d;
      boolean upOk = up.doubleValue() == d;
      if (downOk && upOk) {
        BigDecimal exact = new BigDecimal(d);
        BigDecimal toDown = exact.subtract(down.bigDecimal()).abs();
        BigDecimal toUp = exact.subtract(up.bigDecimal()).abs();
        int cmp = toDown.compareTo(toUp);
        return cmp < 0 || (cmp == 0 && first % 2 == 0) ? down : up;
      }
      return downOk ? down : upOk ? up : this;
    }

    double doubleValue() {
      return Double.parseDouble(scientific());
    }

    BigDecimal bigDecimal() {
      return new BigDecimal(scientific());
    }

    /** {@code [-]digitsE<exp>}, an exact rendering Java parsers accept. */
    private String scientific() {
      return (negative ? "-" : "") + digits + "E" + (exponent - digits.length() + 1);
    }

    /** {@code 1.5e+21}, {@code -2.236734e-9}: Go's 'e' form after encoding/json's e-09 to e-9 clean-up. */
    String exponentForm() {
      StringBuilder sb = new StringBuilder(digits.length() + 8);
      if (negative) {
        sb.append('-');
      }
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits, 1, digits.length());
      }
      sb.append('e').append(exponent < 0 ? '-' : '+');
      int magnitude = Math.abs(exponent);
      if (exponent >= 0 && magnitude < 10) {
        sb.append('0'); // strconv writes two exponent digits; encoding/json trims only negative ones
      }
      return sb.append(magnitude).toString();
    }

    /** {@code 103.8501}, {@code 0.0000012345}, {@code 1593395515390788600}: Go's 'f' form. */
    String plainForm() {
      StringBuilder sb = new StringBuilder(digits.length() + Math.abs(exponent) + 3);
      if (negative) {
        sb.append('-');
      }
      if (exponent < 0) {
        sb.append("0.");
        for (int i = -1; i > exponent; i--) {
          sb.append('0');
        }
        return sb.append(digits).toString();
      }
      int intDigits = exponent + 1;
      if (digits.length() <= intDigits) {
        sb.append(digits);
        for (int i = digits.length(); i < intDigits; i++) {
          sb.append('0');
        }
        return sb.toString();
      }
      return sb.append(digits, 0, intDigits).append('.').append(digits, intDigits, digits.length())
          .toString();
    }
  }
}
