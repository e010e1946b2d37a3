package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which failures are a refusal of the credentials, and what is logged and reported for each. */
class RedisAvailabilityTest {

  /** How Lettuce reports a reply error during the connection handshake. */
  private static RedisConnectionException atConnect(String reply) {
    return new RedisConnectionException("Unable to connect to localhost/<unresolved>:6379",
        new RedisCommandExecutionException(reply));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "WRONGPASS invalid username-password pair or user is disabled.",
      "NOAUTH Authentication required.",
      "ERR AUTH <password> called without any password configured for the default user. Are you"
          + " sure your configuration is correct?",
      "ERR Client sent AUTH, but no password is set",
      "ERR invalid password",
      "ERR wrong number of arguments for 'auth' command"})
  void credentialRefusalsAreRecognisedAtConnectAndAfter(String reply) {
    assertThat(RedisAvailability.authenticationFailure(atConnect(reply))).contains(reply);
    assertThat(RedisAvailability.authenticationFailure(new RedisCommandExecutionException(reply)))
        .contains(reply);
  }

  @Test
  void otherFailuresAreNot() {
    assertThat(RedisAvailability.authenticationFailure(new RedisConnectionException(
        "Unable to connect", new ConnectException("Connection refused")))).isEmpty();
    assertThat(RedisAvailability.authenticationFailure(new RedisCommandExecutionException(
        "EXECABORT Transaction discarded because of previous errors."))).isEmpty();
    assertThat(RedisAvailability.authenticationFailure(new RedisCommandExecutionException(
        "WRONGTYPE Operation against a key holding the wrong kind of value"))).isEmpty();
  }

  @Test
  void eachKindOfFailureIsLoggedOnceAndAChangeOfKindIsLoggedAgain() {
    RedisAvailability a = new RedisAvailability("r:1");
    assertThat(a.notReadyReason()).contains("redis unreachable");
    try (LogCapture logs = LogCapture.redisPackage()) {
      a.down(atConnect("WRONGPASS invalid username-password pair or user is disabled."));
      a.down(atConnect("WRONGPASS invalid username-password pair or user is disabled."));
      assertThat(a.notReadyReason()).contains("redis authentication failed: WRONGPASS invalid"
          + " username-password pair or user is disabled.");

      a.down(new RedisCommandExecutionException("NOPERM User u has no permissions to run the"
          + " 'lrange' command"));
      assertThat(a.notReadyReason()).hasValueSatisfying(r ->
          assertThat(r).startsWith("redis permission denied: NOPERM"));

      a.down(new RedisConnectionException("Unable to connect", new ConnectException("refused")));
      a.down(new RedisConnectionException("Unable to connect", new ConnectException("refused")));
      assertThat(a.notReadyReason()).contains("redis unreachable");

      a.up();
      assertThat(a.notReadyReason()).isEmpty();
      assertThat(logs.messages(Level.ERROR, "Redis authentication failed at r:1")).hasSize(1);
      assertThat(logs.messages(Level.ERROR, "Redis denied a command")).singleElement()
          .satisfies(m -> assertThat(m).contains("TYK_PMP_ANALYTICSSTORAGECONFIG_USERNAME"));
      assertThat(logs.messages(Level.WARN, "Redis unreachable at r:1")).hasSize(1);
      assertThat(logs.messages(Level.INFO, "Redis reachable again")).hasSize(1);
    }
  }
}
