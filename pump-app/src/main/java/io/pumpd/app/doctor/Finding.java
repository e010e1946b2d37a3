package io.pumpd.app.doctor;

/**
 * One result of {@code pump doctor}: what was checked, how it stands, and what was seen.
 *
 * @param area {@code redis}, {@code backlog}, {@code sink} or {@code certificate}
 * @param subject what in that area: a key, a pump, a setting
 * @param status how it stands
 * @param detail what was seen, and for anything but {@link Status#OK} what to look at
 */
public record Finding(String area, String subject, Status status, String detail) {

  /** How a finding stands; anything but {@link #OK} needs attention. */
  public enum Status {
    OK,
    /** Works now, but needs attention before it causes loss (expiring certificate, risky policy). */
    WARN,
    /** Broken now (unreachable, expired, failing). */
    FAIL
  }

  static Finding ok(String area, String subject, String detail) {
    return new Finding(area, subject, Status.OK, detail);
  }

  static Finding warn(String area, String subject, String detail) {
    return new Finding(area, subject, Status.WARN, detail);
  }

  static Finding fail(String area, String subject, String detail) {
    return new Finding(area, subject, Status.FAIL, detail);
  }
}
