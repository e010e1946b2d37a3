package io.pumpd.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ScriptOutputType;
import io.pumpd.app.redis.AnalyticsKeys;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.core.codec.MsgpackRecordDecoder;
import io.pumpd.core.testing.RedisServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property 5 of issue #5: Redis (without persistence) is restarted under a running daemon. The
 * daemon reconnects and goes on; the only records lost are those Redis itself held when it went
 * away (its lists and the pump's streams, read atomically just before the restart).
 */
@DisplayName("chaos: Redis without persistence restarted mid-run")
class RedisRestartChaosIT {
  private static final String NAME = "solo";
  /** Every record Redis holds for the pump: the gateway lists and the ranges the streams refer to. */
  private static final String SNAPSHOT = """
      local out = {}
      for _, key in ipairs(KEYS) do
        local t = redis.call('TYPE', key)['ok']
        if t == 'list' then
          for _, e in ipairs(redis.call('LRANGE', key, 0, -1)) do table.insert(out, e) end
        elseif t == 'stream' then
          for _, entry in ipairs(redis.call('XRANGE', key, '-', '+')) do
            local f = {}
            for i = 1, #entry[2], 2 do f[entry[2][i]] = entry[2][i + 1] end
            local s = tonumber(f['s'])
            local batch = redis.call('LRANGE', key .. ':b:' .. f['b'], s, s + tonumber(f['n']) - 1)
            for _, e in ipairs(batch) do table.insert(out, e) end
          end
        end
      end
      return out
      """;
  @TempDir Path work;

  @Test
  void afterARestartTheDaemonGoesOnAndLosesOnlyWhatRedisHeld() throws Exception {
    ChaosSize size = ChaosSize.current();
    try (RedisServerProcess redis = RedisServerProcess.start();
        ChaosDaemons daemons = new ChaosDaemons("RedisRestart", redis.port(), work).stdoutPump("stdout")
            .csvPump("csv");
        // Tyk's 60 s TTL: the lists are exposed to it while NO daemon runs (between a kill
        // and the restart), exactly as with Tyk Pump; SinkOutageChaosIT shortens it
        Gateway gateway = new Gateway(redis.port(), size.records(), size.ratePerSecond(),
            Duration.ofSeconds(60))) {
      int n = size.records();
      SinkLedger stdout = SinkLedger.stdout("stdout");
      SinkLedger csv = SinkLedger.csv("csv").watch(daemons.csvFile("csv", NAME));
      DaemonProcess d = daemons.start(NAME);
      stdout.watch(d.stdoutFile());
      gateway.start();
      await().atMost(size.pushTime().plus(Duration.ofSeconds(30)))
          .until(() -> gateway.pushed() >= n / 2);

      gateway.pause();
      BitSet heldByRedis = snapshot(gateway, n);
      redis.stop(); // no persistence: everything Redis held is gone
      LockSupport.parkNanos(2_000_000_000L); // an outage of 2 s, not synchronization
      redis.restart();
      gateway.resume();

      await().atMost(size.pushTime().plus(Duration.ofMinutes(3))).pollInterval(Duration.ofMillis(500))
          .until(() -> gateway.done() && covered(stdout.refresh(), heldByRedis, n)
              && covered(csv.refresh(), heldByRedis, n));
      assertThat(d.isAlive()).isTrue();
      assertThat(d.logs()).anyMatch(l -> l.contains("Redis unreachable"))
          .anyMatch(l -> l.contains("Redis reachable again"));
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(25))).isZero();

      String test = "Redis restarted at 50 % (it held " + heldByRedis.cardinality() + " records)";
      for (SinkLedger s : List.of(stdout, csv)) {
        BitSet lost = s.missing(n);
        ChaosReport.sink(test, size, s, n, "lost by Redis " + lost.cardinality());
        BitSet notExplained = (BitSet) lost.clone();
        notExplained.andNot(heldByRedis);
        assertThat(notExplained.cardinality()).as(s.name() + " lost beyond what Redis held").isZero();
      }
    }
  }

  private static boolean covered(SinkLedger sink, BitSet heldByRedis, int n) {
    BitSet missing = sink.missing(n);
    missing.andNot(heldByRedis);
    return missing.isEmpty();
  }

  /** The chaos records Redis holds right now (one atomic script). */
  private static BitSet snapshot(Gateway gateway, int n) throws Exception {
    List<String> keys = new ArrayList<>();
    for (String list : AnalyticsKeys.withPrefix("analytics-").analytics()) {
      keys.add(list);
      keys.add("{" + list + "}:pumpd");
    }
    List<Object> raw = gateway.redis().eval(SNAPSHOT, ScriptOutputType.MULTI,
        keys.toArray(new String[0]));
    MsgpackRecordDecoder decoder = new MsgpackRecordDecoder();
    BitSet held = new BitSet(n);
    for (Object o : raw) {
      String key = decoder.decodeRecord((byte[]) o).getApiKey();
      held.set(Integer.parseInt(key.substring(Gateway.TAG.length())));
    }
    return held;
  }
}
