package io.pumpd.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BindAddressTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "127.0.0.1", "0.0.0.0", "10.1.2.3", "255.255.255.255",
      "::", "::1", "[::1]", "fe80::1", "2001:db8::8a2e:370:7334", "::ffff:192.0.2.1",
      "1:2:3:4:5:6:7:8",
      "localhost", "pod-a.internal", "my_service", "example.com.", "a", "x1"})
  void ipLiteralsAndHostNamesAreAccepted(String address) {
    assertThat(BindAddress.problem(address)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      " ", "127.0.0.1 ", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3",
      "1:2:3:4:5:6:7:8:9", "1:::2", "::g", "[::1", "gg::1", "fe80::1%",
      "-host", "host-", "a..b", "ho st", "http://localhost", "host/path", ".",
      "a123456789012345678901234567890123456789012345678901234567890123.com"})
  void anythingElseIsAProblem(String address) {
    assertThat(BindAddress.problem(address)).hasValueSatisfying(
        m -> assertThat(m).startsWith("\"" + address + "\" is "));
  }
}
