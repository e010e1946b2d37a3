package io.pumpd.core.codec;

/**
 * Strict UTF-8 validation as Go's {@code utf8.Valid} (and so Go's protobuf decoder) does it: no
 * overlong forms, no surrogates (U+D800 to U+DFFF), nothing above U+10FFFF, no truncated
 * sequence. Stateless and thread-safe.
 */
final class Utf8Validation {
  private Utf8Validation() {}

  /** True when {@code b[off, off + len)} is well-formed UTF-8. */
  static boolean isValid(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        i++;
      } else if (c < 0xc2) { // a continuation byte, or the lead of an overlong 2-byte form
        return false;
      } else if (c < 0xe0) {
        if (i + 1 >= end || !continuation(b[i + 1])) {
          return false;
        }
        i += 2;
      } else if (c < 0xf0) {
        if (i + 2 >= end || !continuation(b[i + 1]) || !continuation(b[i + 2])) {
          return false;
        }
        int c1 = b[i + 1] & 0xff;
        if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) { // overlong; surrogate
          return false;
        }
        i += 3;
      } else if (c < 0xf5) {
        if (i + 3 >= end || !continuation(b[i + 1]) || !continuation(b[i + 2])
            || !continuation(b[i + 3])) {
          return false;
        }
        int c1 = b[i + 1] & 0xff;
        if ((c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90)) { // overlong; > U+10FFFF
          return false;
        }
        i += 4;
      } else {
        return false;
      }
    }
    return true;
  }

  private static boolean continuation(byte b) {
    return (b & 0xc0) == 0x80;
  }
}
