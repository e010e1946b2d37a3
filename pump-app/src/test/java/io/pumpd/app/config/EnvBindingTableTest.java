package io.pumpd.app.config;

import static io.pumpd.app.config.ConfigFixtures.INFLUX2_REQUIRED;
import static io.pumpd.app.config.ConfigFixtures.env;
import static io.pumpd.app.config.ConfigFixtures.loader;
import static io.pumpd.app.config.ConfigFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.core.config.LoadedConfig;
import io.pumpd.core.config.PumpEntry;
import io.pumpd.core.config.StorageConfig;
import io.pumpd.sinks.csv.CsvSettings;
import io.pumpd.sinks.dogstatsd.DogStatsdSettings;
import io.pumpd.sinks.elasticsearch.ElasticsearchSettings;
import io.pumpd.sinks.influx2.Influx2Settings;
import io.pumpd.sinks.stdout.StdoutSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every env name from {@code reference/tyk-pump.md} §2.5, §4 and §5 binds where Tyk Pump binds
 * it: one row per env setting (several vars separated by {@code ;}), over a small base file. Pump
 * meta binds to the sinks' own settings classes, through the daemon's pump registry.
 */
class EnvBindingTableTest {
  private static final String BASE_FILE =
      """
      {"purge_delay": 3,
       "analytics_storage_config": {"host": "localhost", "port": 6379},
       "pumps": {"out": {"type": "stdout"}}}
      """;

  @TempDir Path dir;

  static Stream<Arguments> rows() {
    return Stream.of(
        // top level (§4.2)
        row("TYK_PMP_PURGEDELAY=7", c -> c.configuration().purgeDelaySeconds(), 7),
        row("TYK_PMP_PURGECHUNK=100", c -> c.configuration().purgeChunk(), 100L),
        row("TYK_PMP_STORAGEEXPIRATIONTIME=120",
            c -> c.configuration().effectiveStorageExpirationSeconds(), 120L),
        row("TYK_PMP_PURGECHUNK=10", c -> c.configuration().effectiveStorageExpirationSeconds(), 60L),
        row("TYK_PMP_DONTPURGEUPTIMEDATA=true", c -> c.configuration().dontPurgeUptimeData(), true),
        row("TYK_PMP_HEALTHCHECKENDPOINTNAME=alive",
            c -> c.configuration().healthCheckEndpointName(), "alive"),
        row("TYK_PMP_HEALTHCHECKENDPOINTPORT=9090",
            c -> c.configuration().healthCheckEndpointPort(), 9090),
        row("TYK_PMP_HTTPPROFILE=1", c -> c.configuration().enableHttpProfiler(), true),
        row("TYK_PMP_MAXRECORDSIZE=0x400", c -> c.configuration().maxRecordSize(), 1024),
        row("TYK_PMP_MAXRECORDSIZE=010", c -> c.configuration().maxRecordSize(), 8),
        row("TYK_PMP_MAXRECORDSIZE=1_000", c -> c.configuration().maxRecordSize(), 1000),
        row("TYK_PMP_OMITDETAILEDRECORDING=T", c -> c.configuration().omitDetailedRecording(), true),
        row("TYK_PMP_LOGLEVEL=debug", c -> c.configuration().logLevel(), "debug"),
        row("TYK_PMP_LOGLEVEL=debug;TYK_LOGLEVEL=error", c -> c.configuration().logLevel(), "error"),
        row("TYK_PMP_LOGFORMAT=json", c -> c.configuration().logFormat(), "json"),
        row("TYK_LOGFORMAT=legacy", c -> c.configuration().logFormat(), "legacy"),
        row("TYK_PMP_GRACEFULSHUTDOWNTIMEOUTDURATION=45",
            c -> c.configuration().gracefulShutdownTimeoutSeconds(), 45),
        row("TYK_PMP_ANALYTICSSTORAGETYPE=redis", c -> c.configuration().analyticsStorageType(), "redis"),
        row("TYK_PMP_STATSDCONNECTIONSTRING=localhost:8125",
            c -> c.configuration().statsdConnectionString(), "localhost:8125"),
        row("TYK_PMP_STATSDPREFIX=pmp", c -> c.configuration().statsdPrefix(), "pmp"),
        row("TYK_PMP_DECODERAWREQUEST=true", c -> c.configuration().rawRequestDecoded(), true),
        row("TYK_PMP_DECODERAWRESPONSE=true", c -> c.configuration().rawResponseDecoded(), true),
        row("TYK_PMP_OMITCONFIGFILE=false", c -> c.configuration().purgeDelaySeconds(), 3),
        row("TYK_PMP_OMITCONFIGFILE=TRUE;TYK_PMP_PUMPS_DUMMY_TYPE=dummy",
            c -> List.of(c.configuration().purgeDelaySeconds(), List.copyOf(c.pumps().keySet())),
            List.of(10, List.of("dummy"))),
        // pumpd's own additions follow the same rule
        row("TYK_PMP_HEALTHCHECKENDPOINTADDRESS=127.0.0.1",
            c -> c.configuration().healthCheckEndpointAddress(), "127.0.0.1"),
        row("TYK_PMP_DELIVERYGUARANTEE=at_least_once",
            c -> c.configuration().deliveryGuarantee(), "at_least_once"),
        row("TYK_PMP_DEADLETTERDIR=/var/dl", c -> c.configuration().deadLetterDir(), "/var/dl"),
        row("TYK_PMP_INTERNALCHUNKSIZE=100", c -> c.configuration().internalChunkSize(), 100),
        row("TYK_PMP_MAXRECORDSPERCYCLE=1000", c -> c.configuration().maxRecordsPerCycle(), 1000),
        row("TYK_PMP_DELIVERY_MAXBACKLOGRECORDS=5000",
            c -> c.configuration().delivery().maxBacklogRecords(), 5000L),
        row("TYK_PMP_DELIVERY_MAXBACKLOGBYTES=1048576",
            c -> c.configuration().delivery().maxBacklogBytes(), 1048576L),
        row("TYK_PMP_DELIVERY_LEASESECONDS=12", c -> c.configuration().delivery().leaseSeconds(), 12),
        row("TYK_PMP_DELIVERY_CONSUMERNAME=pod-a",
            c -> c.configuration().delivery().consumerName(), "pod-a"),
        row("TYK_PMP_DELIVERY_STREAMSUFFIX=:s", c -> c.configuration().delivery().streamSuffix(), ":s"),
        row("TYK_PMP_DELIVERY_ENTRYRECORDS=200", c -> c.configuration().delivery().entryRecords(), 200),
        row("TYK_PMP_DELIVERY_MAXINFLIGHTBYTES=1000",
            c -> c.configuration().delivery().maxInFlightBytes(), 1000L),
        row("TYK_PMP_DELIVERY_POLLINTERVALMS=50", c -> c.configuration().delivery().pollIntervalMs(), 50),
        row("TYK_PMP_DELIVERY_CONFIRMTIMEOUTSECONDS=9",
            c -> c.configuration().delivery().confirmTimeoutSeconds(), 9),
        row("TYK_PMP_PUMPS_DUMMY_TYPE=dummy;TYK_PMP_PUMPS_DUMMY_MAXBACKLOGRECORDS=77",
            c -> c.pumps().get("dummy").entry().maxBacklogRecords(), 77L),
        // analytics_storage_config (§2.5)
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_TYPE=redis", c -> storage(c).type(), "redis"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_HOST=redis.internal", c -> storage(c).host(), "redis.internal"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_PORT=6380", c -> storage(c).port(), 6380),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_ADDRS=r1:7000, r2:7001",
            c -> storage(c).addrs(), List.of("r1:7000", "r2:7001")),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_HOSTS=h1:6379,h2:6380",
            c -> storage(c).hosts(), Map.of("h1", "6379", "h2", "6380")),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_MASTERNAME=mymaster", c -> storage(c).masterName(), "mymaster"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_SENTINELPASSWORD=sentinel-pw",
            c -> storage(c).sentinelPassword().reveal(), "sentinel-pw"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_USERNAME=pump", c -> storage(c).username(), "pump"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_PASSWORD=s3cret-pw",
            c -> storage(c).password().reveal(), "s3cret-pw"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_DATABASE=3", c -> storage(c).database(), 3),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_TIMEOUT=9", c -> storage(c).timeoutSeconds(), 9),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_MAXIDLE=5", c -> storage(c).maxIdle(), 5),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_MAXACTIVE=50", c -> storage(c).maxActive(), 50),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_ENABLECLUSTER=true", c -> storage(c).enableCluster(), true),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_KEYPREFIX=x-", c -> storage(c).effectiveKeyPrefix(), "x-"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_REDISKEYPREFIX=y-",
            c -> storage(c).effectiveKeyPrefix(), "y-"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_USESSL=true", c -> storage(c).useSsl(), true),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_REDISUSESSL=true", c -> storage(c).useSsl(), true),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_SSLINSECURESKIPVERIFY=true",
            c -> storage(c).sslInsecureSkipVerify(), true),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_REDISSSLINSECURESKIPVERIFY=true",
            c -> storage(c).sslInsecureSkipVerify(), true),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_SSLCAFILE=/ca.pem", c -> storage(c).sslCaFile(), "/ca.pem"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_SSLCERTFILE=/c.pem", c -> storage(c).sslCertFile(), "/c.pem"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_SSLKEYFILE=/k.pem", c -> storage(c).sslKeyFile(), "/k.pem"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_SSLMINVERSION=1.3", c -> storage(c).sslMinVersion(), "1.3"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_SSLMAXVERSION=1.2", c -> storage(c).sslMaxVersion(), "1.2"),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_IAMAUTH_PROVIDER=gcp",
            c -> storage(c).iamAuth().provider(), "gcp"),
        // the deprecated and the newest Redis prefixes; the last applied wins (§2.5)
        row("TYK_PMP_REDIS_HOST=legacy-redis", c -> storage(c).host(), "legacy-redis"),
        row("TYK_PMP_TEMPORAL_STORAGE_PORT=6390", c -> storage(c).port(), 6390),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_PORT=1;TYK_PMP_REDIS_PORT=2", c -> storage(c).port(), 2),
        row("TYK_PMP_ANALYTICSSTORAGECONFIG_PORT=1;TYK_PMP_REDIS_PORT=2;TYK_PMP_TEMPORAL_STORAGE_PORT=3",
            c -> storage(c).port(), 3),
        row("TYK_PMP_REDIS_PORT=2;TYK_PMP_TEMPORAL_STORAGE_PORT=3", c -> storage(c).port(), 3),
        // pump meta by registered type name (§4.6, §5)
        row("TYK_PMP_PUMPS_CSV_META_CSVDIR=/data/csv",
            c -> settings(c, "csv", CsvSettings.class).csvDir(), "/data/csv"),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_ENABLESNIFFING=true",
            c -> es(c).useSniffing(), true),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_ELASTICSEARCHURL=http://es:9200",
            c -> es(c).elasticsearchUrl(), "http://es:9200"),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_BULKCONFIG_FLUSHINTERVAL=5",
            c -> es(c).bulkConfig().flushInterval(), Duration.ofSeconds(5)),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_BULKCONFIG_WORKERS=2",
            c -> es(c).bulkConfig().workers(), 2),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_BULKCONFIG_BULKACTIONS=20",
            c -> es(c).bulkConfig().bulkActions(), 20),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_BULKCONFIG_BULKSIZE=4096",
            c -> es(c).bulkConfig().bulkSize(), 4096L),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_EXTENDEDSTATISTICS=true",
            c -> es(c).extendedStats(), true),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_VERSION=8", c -> es(c).version(), "8"),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_USERNAME=elastic",
            c -> es(c).authBasicUsername(), "elastic"),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_PASSWORD=es-pw",
            c -> es(c).authBasicPassword().reveal(), "es-pw"),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_AUTHAPIKEYID=id-1;"
                + "TYK_PMP_PUMPS_ELASTICSEARCH_META_AUTHAPIKEY=k3y-value",
            c -> List.of(es(c).authApiKeyId(), es(c).authApiKey().reveal()),
            List.of("id-1", "k3y-value")),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_MCPINDEXNAME=mcp", c -> es(c).mcpIndexName(), "mcp"),
        row("TYK_PMP_PUMPS_ELASTICSEARCH_META_INSTALLTEMPLATE=false",
            c -> es(c).installTemplate(), false),
        row("TYK_PMP_PUMPS_ES_TYPE=elasticsearch;TYK_PMP_PUMPS_ES_META_INDEXNAME=prod",
            c -> List.of(c.pumps().get("es").type(),
                settings(c, "es", ElasticsearchSettings.class).indexName(),
                c.pumps().get("es").metaEnvPrefix()),
            List.of("elasticsearch", "prod", "TYK_PMP_PUMPS_ES_META")),
        row(influx2("BUCKETNAME=b1"), c -> influx2(c).bucket(), "b1"),
        row(influx2("ORGNAME=o1"), c -> influx2(c).organization(), "o1"),
        row(influx2("ADDR=http://influx2:8086"), c -> influx2(c).address(), "http://influx2:8086"),
        row(influx2("TOKEN=tok-123"), c -> influx2(c).token().reveal(), "tok-123"),
        row(influx2("FIELDS=request_time,response_code"), c -> influx2(c).fields(),
            List.of("request_time", "response_code")),
        row(influx2("TAGS=path,method"), c -> influx2(c).tags(), List.of("path", "method")),
        row(influx2("NEWBUCKETCONFIG_DESCRIPTION=d"),
            c -> influx2(c).newBucketConfig().description(), "d"),
        row(influx2("CREATEMISSINGBUCKET=true"), c -> influx2(c).createMissingBucket(), true),
        row(influx2("BATCHSIZE=100"), c -> influx2(c).batchSize(), 100),
        row(influx2("VERIFYBUCKET=false"), c -> influx2(c).verifyBucket(), false),
        row("TYK_PMP_PUMPS_DOGSTATSD_META_SAMPLERATE=0.5", c -> dogStatsd(c).sampleRate(), 0.5),
        row("TYK_PMP_PUMPS_DOGSTATSD_META_ASYNCUDS=true;"
                + "TYK_PMP_PUMPS_DOGSTATSD_META_ASYNCUDSWRITETIMEOUT=3",
            c -> dogStatsd(c).udsWriteTimeout(), Duration.ofSeconds(3)),
        row("TYK_PMP_PUMPS_DOGSTATSD_META_TAGS=method,path", c -> dogStatsd(c).tags(),
            List.of("method", "path")),
        row("TYK_PMP_PUMPS_DOGSTATSD_META_BUFFERED=true;"
                + "TYK_PMP_PUMPS_DOGSTATSD_META_BUFFEREDMAXMESSAGES=8",
            c -> dogStatsd(c).maxMessagesPerDatagram(), 8),
        row("TYK_PMP_PUMPS_DOGSTATSD_META_NAMESPACE=pmp", c -> dogStatsd(c).namespace(), "pmp"),
        row("TYK_PMP_PUMPS_DOGSTATSD_META_ENABLETELEMETRY=true",
            c -> dogStatsd(c).enableTelemetry(), true),
        row("TYK_PMP_PUMPS_STDOUT_META_LOGFIELDNAME=rec",
            c -> settings(c, "stdout", StdoutSettings.class).logFieldName(), "rec"),
        row("TYK_PMP_PUMPS_STDOUT_META_USELEGACYPAYLOADFORMAT=true",
            c -> settings(c, "stdout", StdoutSettings.class).useLegacyPayloadFormat(), true),
        // the common per-pump options (§4.5) on a custom-named env pump
        row(x("FILTERS_SKIPPEDRESPONSECODES=404,500"), c -> entry(c).filters().skipResponseCodes(),
            List.of(404, 500)),
        row(x("FILTERS_RESPONSECODES=200"), c -> entry(c).filters().responseCodes(), List.of(200)),
        row(x("FILTERS_APIIDS=a1,a2"), c -> entry(c).filters().apiIds(), List.of("a1", "a2")),
        row(x("FILTERS_SKIPPEDAPIIDS=a3"), c -> entry(c).filters().skipApiIds(), List.of("a3")),
        row(x("FILTERS_ORGSIDS=o1"), c -> entry(c).filters().orgIds(), List.of("o1")),
        row(x("FILTERS_SKIPPEDORGSIDS=o2,o3"), c -> entry(c).filters().skipOrgIds(), List.of("o2", "o3")),
        row(x("TIMEOUT=5"), c -> entry(c).timeoutSeconds(), 5),
        row(x("IGNOREFIELDS=api_key,raw_request"), c -> entry(c).ignoreFields(),
            List.of("api_key", "raw_request")),
        row(x("DECODERAWREQUEST=true"), c -> entry(c).rawRequestDecoded(), true),
        row(x("DECODERAWRESPONSE=1"), c -> entry(c).rawResponseDecoded(), true),
        row(x("OMITDETAILEDRECORDING=true"), c -> entry(c).omitDetailedRecording(), true),
        row(x("MAXRECORDSIZE=2048"), c -> entry(c).maxRecordSize(), 2048),
        row(x("META_FORMAT=json"), c -> settings(c, "x", StdoutSettings.class).json(), true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void envBindsWhereTykBindsIt(String vars, Function<LoadedConfig, Object> read, Object expected)
      throws Exception {
    LoadedConfig loaded = loader().load(write(dir, BASE_FILE), env(vars));

    assertThat(read.apply(loaded)).isEqualTo(expected);
    assertThat(loaded.warnings()).noneMatch(w -> w.contains("matches no setting"));
  }

  /** {@code var} of the influx2 pump INFLUX2, after the vars it needs to validate. */
  private static String influx2(String var) {
    return INFLUX2_REQUIRED + ";TYK_PMP_PUMPS_INFLUX2_META_" + var;
  }

  /** A var of the custom-named pump X of type stdout. */
  private static String x(String suffix) {
    return "TYK_PMP_PUMPS_X_TYPE=stdout;TYK_PMP_PUMPS_X_" + suffix;
  }

  private static Arguments row(String vars, Function<LoadedConfig, Object> read, Object expected) {
    return Arguments.of(vars, read, expected);
  }

  private static StorageConfig storage(LoadedConfig c) {
    return c.configuration().analyticsStorageConfig();
  }

  private static PumpEntry entry(LoadedConfig c) {
    return c.pumps().get("x").entry();
  }

  private static <S> S settings(LoadedConfig c, String pump, Class<S> type) {
    return c.pumps().get(pump).settings(type);
  }

  private static ElasticsearchSettings es(LoadedConfig c) {
    return settings(c, "elasticsearch", ElasticsearchSettings.class);
  }

  private static Influx2Settings influx2(LoadedConfig c) {
    return settings(c, "influx2", Influx2Settings.class);
  }

  private static DogStatsdSettings dogStatsd(LoadedConfig c) {
    return settings(c, "dogstatsd", DogStatsdSettings.class);
  }
}
