package io.pumpd.sinks.dogstatsd;

import static io.pumpd.sinks.dogstatsd.DogStatsdPumpStrictListenerTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.core.config.ConfigProblems;
import io.pumpd.sinks.testing.SettingsEnvNames;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DogStatsdSettingsTest {

  @Test
  @DisplayName("env segments are Tyk's: ADDRESS, SAMPLERATE, ASYNCUDSWRITETIMEOUT, BUFFEREDMAXMESSAGES, ...")
  void envNames() {
    assertThat(SettingsEnvNames.of(DogStatsdSettings.class))
        .containsAllEntriesOf(Map.of(
            "address", "ADDRESS",
            "namespace", "NAMESPACE",
            "sample_rate", "SAMPLERATE",
            "async_uds", "ASYNCUDS",
            "async_uds_write_timeout_seconds", "ASYNCUDSWRITETIMEOUT",
            "buffered", "BUFFERED",
            "buffered_max_messages", "BUFFEREDMAXMESSAGES",
            "tags", "TAGS",
            "enable_telemetry", "ENABLETELEMETRY"));
  }

  @Test
  @DisplayName("Tyk's defaults: namespace default, rate 1 (0 means 1), 16 per datagram when buffered, 1 unbuffered")
  void defaults() {
    DogStatsdSettings s = settings("{\"sample_rate\":0}");
    assertThat(s.namespace()).isEqualTo("default");
    assertThat(s.sampleRate()).isEqualTo(1.0);
    assertThat(s.maxMessagesPerDatagram()).isEqualTo(1);
    assertThat(settings("{\"buffered\":true}").maxMessagesPerDatagram()).isEqualTo(16);
    assertThat(settings("{\"buffered\":true,\"buffered_max_messages\":32}").maxMessagesPerDatagram()).isEqualTo(32);
    assertThat(s.udsWriteTimeout()).isEqualTo(Duration.ofMillis(100));
    assertThat(settings("{\"async_uds\":true}").udsWriteTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(settings("{\"async_uds\":true,\"async_uds_write_timeout_seconds\":3}").udsWriteTimeout())
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(s.enableTelemetry()).isFalse();
  }

  @Test
  @DisplayName("an unknown tag name is a config error at start (Tyk aborts batches at run time)")
  void unknownTag() {
    ConfigProblems p = new ConfigProblems();
    settings("{\"tags\":[\"method\",\"api_key\",\" path\"]}").validate(p);
    assertThat(p.all()).singleElement().satisfies(problem -> {
      assertThat(problem.key()).isEqualTo("tags");
      assertThat(problem.message()).contains("'api_key'").contains("oauth_id");
    });
  }

  @Test
  @DisplayName("bad address, rate, counts and namespace are all reported")
  void validation() {
    ConfigProblems p = new ConfigProblems();
    settings("{\"address\":\"localhost\",\"sample_rate\":1.5,\"buffered_max_messages\":-1,"
        + "\"async_uds_write_timeout_seconds\":-2,\"namespace\":\"my app\"}").validate(p);
    assertThat(p.all()).extracting(ConfigProblems.Problem::key).containsExactlyInAnyOrder(
        "address", "sample_rate", "buffered_max_messages", "async_uds_write_timeout_seconds", "namespace");
  }

  @Test
  @DisplayName("addresses: host:port, [v6]:port, unix:///path")
  void addresses() {
    assertThat(DogStatsdAddress.parse("dd-agent:8125")).isEqualTo(new DogStatsdAddress("dd-agent", 8125, null));
    assertThat(DogStatsdAddress.parse("[::1]:9125")).isEqualTo(new DogStatsdAddress("::1", 9125, null));
    assertThat(DogStatsdAddress.parse("unix:///var/run/datadog/dsd.socket").socketPath())
        .isEqualTo("/var/run/datadog/dsd.socket");
    assertThat(DogStatsdAddress.resolve("", Map.of("DD_AGENT_HOST", "agent")::get))
        .isEqualTo(new DogStatsdAddress("agent", 8125, null));
  }
}
