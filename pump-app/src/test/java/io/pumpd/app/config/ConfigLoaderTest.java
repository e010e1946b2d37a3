package io.pumpd.app.config;

import static io.pumpd.app.config.ConfigFixtures.env;
import static io.pumpd.app.config.ConfigFixtures.loader;
import static io.pumpd.app.config.ConfigFixtures.typesWith;
import static io.pumpd.app.config.ConfigFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pumpd.core.config.ConfigException;
import io.pumpd.core.config.ConfigLoader;
import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.config.EffectiveConfigPrinter;
import io.pumpd.core.config.EnvName;
import io.pumpd.core.config.LoadedConfig;
import io.pumpd.core.config.LoadedPump;
import io.pumpd.core.config.PumpTypes;
import io.pumpd.core.config.Secret;
import io.pumpd.core.config.SelfValidating;
import io.pumpd.sinks.csv.CsvSettings;
import io.pumpd.sinks.elasticsearch.ElasticsearchSettings;
import io.pumpd.sinks.influx2.Influx2Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config loader over the daemon's own pump types (the sinks' settings classes): file and env
 * merged as Tyk Pump merges them, every problem reported at once with its key and env name, secrets
 * never quoted.
 */
class ConfigLoaderTest {
  private static final String ONE_PUMP = "\"pumps\": {\"out\": {\"type\": \"stdout\"}}";

  @TempDir Path dir;

  private final ConfigLoader loader = loader();

  private LoadedConfig load(String json, Map<String, String> env) throws Exception {
    return loader.load(write(dir, json), env);
  }

  private ConfigException failure(String json, Map<String, String> env) {
    return catchThrowableOfType(ConfigException.class, () -> load(json, env));
  }

  @Test
  void envOverridesFileAndUnsetEnvLeavesFileValue() throws Exception {
    String json = """
        {"purge_delay": 3, "purge_chunk": 50,
         "pumps": {"csv": {"type": "csv", "timeout": 4, "meta": {"csv_dir": "/from-file"}}}}""";

    LoadedConfig c = load(json, env("TYK_PMP_PURGEDELAY=8;TYK_PMP_PUMPS_CSV_META_CSVDIR=/from-env"));

    assertThat(c.configuration().purgeDelaySeconds()).isEqualTo(8);
    assertThat(c.configuration().purgeChunk()).isEqualTo(50);
    assertThat(c.pumps().get("csv").settings(CsvSettings.class).csvDir()).isEqualTo("/from-env");
    assertThat(c.pumps().get("csv").entry().timeoutSeconds()).isEqualTo(4);
  }

  @Test
  void filePumpIsMatchedToEnvByItsUpperCasedKey() throws Exception {
    String json = """
        {"pumps": {"Es-Prod": {"type": "elasticsearch", "timeout": 4,
                               "meta": {"index_name": "file-index", "version": "7"}}}}""";

    LoadedConfig c = load(json, env(
        "TYK_PMP_PUMPS_ES-PROD_TIMEOUT=9;TYK_PMP_PUMPS_ES-PROD_META_INDEXNAME=env-index"));

    LoadedPump p = c.pumps().get("Es-Prod");
    assertThat(p.type()).isEqualTo("elasticsearch");
    assertThat(p.entry().timeoutSeconds()).isEqualTo(9);
    assertThat(p.settings(ElasticsearchSettings.class).indexName()).isEqualTo("env-index");
    assertThat(p.metaEnvPrefix()).isEqualTo("TYK_PMP_PUMPS_ES-PROD_META");
    assertThat(p.envName()).isEqualTo("ES-PROD");
    assertThat(c.pumps()).hasSize(1);
  }

  @Test
  void fileOnlyPumpReadsTheTypesDefaultMetaPrefixWhichAlsoCreatesAnEnvPumpAsInTyk()
      throws Exception {
    String json = """
        {"pumps": {"es-prod": {"type": "elasticsearch", "meta": {"index_name": "a"}}}}""";

    LoadedConfig c = load(json, env("TYK_PMP_PUMPS_ELASTICSEARCH_META_VERSION=8"));

    assertThat(c.pumps().keySet()).containsExactly("es-prod", "elasticsearch");
    assertThat(c.pumps().get("es-prod").settings(ElasticsearchSettings.class).version()).isEqualTo("8");
    assertThat(c.pumps().get("es-prod").metaEnvPrefix())
        .isEqualTo("TYK_PMP_PUMPS_ELASTICSEARCH_META");
    assertThat(c.pumps().get("elasticsearch").settings(ElasticsearchSettings.class).version()).isEqualTo("8");
    assertThat(c.warnings()).anyMatch(w -> w.contains("configure pumps.es-prod and also create"
        + " the pump ELASTICSEARCH"));
  }

  @Test
  void metaEnvPrefixInFileMetaIsHonouredForFileOnlyPumps() throws Exception {
    String json = """
        {"pumps": {"csv2": {"type": "csv", "meta": {"meta_env_prefix": "MY_CSV"}}}}""";

    LoadedConfig c = load(json, env("MY_CSV_CSVDIR=/custom"));

    assertThat(c.pumps().get("csv2").settings(CsvSettings.class).csvDir()).isEqualTo("/custom");
    assertThat(c.pumps().get("csv2").metaEnvPrefix()).isEqualTo("MY_CSV");
  }

  @Test
  void envOnlyPumpsAreCreatedWithTypeFromTypeVar() throws Exception {
    LoadedConfig c = loader.load(dir.resolve("absent.conf"), env(
        "TYK_PMP_PUMPS_PROD_TYPE=Influx2;TYK_PMP_PUMPS_PROD_META_ADDR=http://i:8086;"
            + "TYK_PMP_PUMPS_PROD_META_ORGNAME=o;TYK_PMP_PUMPS_PROD_META_BUCKETNAME=b;"
            + "TYK_PMP_PUMPS_PROD_TIMEOUT=6"));

    LoadedPump p = c.pumps().get("prod");
    assertThat(p.type()).isEqualTo("influx2");
    assertThat(p.entry().type()).isEqualTo("influx2");
    assertThat(p.entry().timeoutSeconds()).isEqualTo(6);
    assertThat(p.settings(Influx2Settings.class).address()).isEqualTo("http://i:8086");
    assertThat(p.entry().meta().get("meta_env_prefix").asText()).isEqualTo("TYK_PMP_PUMPS_PROD_META");
    assertThat(c.configFile()).isEmpty();
    assertThat(c.warnings()).anyMatch(w -> w.contains("absent.conf not found"));
  }

  /** Tyk's gotcha (an env pump named INFLUX is an influx pump whatever its TYPE) on a type pumpd has. */
  @Test
  void registeredTypeNameForcesTheTypeLikeTyksInfluxGotcha() throws Exception {
    LoadedConfig c = load("{" + ONE_PUMP + "}", env(
        "TYK_PMP_PUMPS_CSV_TYPE=stdout;TYK_PMP_PUMPS_CSV_META_LOGFIELDNAME=rec"));

    assertThat(c.pumps().get("csv").type()).isEqualTo("csv");
    assertThat(c.warnings()).anyMatch(w -> w.startsWith("TYK_PMP_PUMPS_CSV_TYPE=stdout is"
        + " ignored: CSV is the name of the pump type csv"));
    // LOGFIELDNAME is not a field of the csv settings: reported, not silently dropped
    assertThat(c.warnings()).contains(
        "env var TYK_PMP_PUMPS_CSV_META_LOGFIELDNAME matches no setting and is ignored");
  }

  @Test
  void tykTypeNameForcesTheTypeEvenWhenPumpdDoesNotImplementIt() {
    ConfigException e = failure("{" + ONE_PUMP + "}", env("TYK_PMP_PUMPS_INFLUX_TYPE=influx2"));

    assertThat(e.lines()).containsExactly("pumps.influx.type: \"influx\" is a Tyk Pump type that"
        + " pumpd does not implement; implemented: csv, dogstatsd, dummy, elasticsearch, influx2,"
        + " stdout (env TYK_PMP_PUMPS_INFLUX_TYPE)");
  }

  @Test
  void envPumpWithoutTypeIsSkippedWithTyksMessage() throws Exception {
    LoadedConfig c = load("{" + ONE_PUMP + "}", env("TYK_PMP_PUMPS_MYSTERY_TIMEOUT=5"));

    assertThat(c.pumps().keySet()).containsExactly("out");
    assertThat(c.warnings()).contains("TYPE env var for pump MYSTERY not found:"
        + " TYK_PMP_PUMPS_MYSTERY_TIMEOUT is ignored (set TYK_PMP_PUMPS_MYSTERY_TYPE)");
  }

  @Test
  void envPumpFallsBackToTheFileType() throws Exception {
    LoadedConfig c = load("{\"pumps\": {\"main\": {\"type\": \"csv\"}}}",
        env("TYK_PMP_PUMPS_MAIN_META_CSVDIR=/x"));

    assertThat(c.pumps().get("main").type()).isEqualTo("csv");
    assertThat(c.pumps().get("main").settings(CsvSettings.class).csvDir()).isEqualTo("/x");
  }

  @Test
  void fileKeysMatchCaseInsensitivelyLikeGo() throws Exception {
    String json = """
        {"Purge_Delay": 4, "ANALYTICS_STORAGE_CONFIG": {"Host": "h", "PORT": 1},
         "Pumps": {"csv": {"Type": "CSV", "Meta": {"CSV_DIR": "/x"}}}}""";

    LoadedConfig c = load(json, Map.of());

    assertThat(c.configuration().purgeDelaySeconds()).isEqualTo(4);
    assertThat(c.configuration().analyticsStorageConfig().host()).isEqualTo("h");
    assertThat(c.pumps().get("csv").type()).isEqualTo("csv");
    assertThat(c.pumps().get("csv").settings(CsvSettings.class).csvDir()).isEqualTo("/x");
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void jsonNullLeavesTheDefault() throws Exception {
    LoadedConfig c = load("{\"purge_delay\": null, \"analytics_storage_config\": {\"hosts\": null},"
        + ONE_PUMP + "}", Map.of());

    assertThat(c.configuration().purgeDelaySeconds()).isEqualTo(10);
    assertThat(c.configuration().analyticsStorageConfig().hosts()).isEmpty();
  }

  @Test
  void invalidEnvValueNamesTheVar() {
    ConfigException e = failure("{" + ONE_PUMP + "}", env("TYK_PMP_PURGEDELAY=abc"));

    assertThat(e.lines()).containsExactly(
        "purge_delay: \"abc\" is not an integer (env TYK_PMP_PURGEDELAY)");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    String json = """
        {"purge_delay": 0, "log_level": "verbose", "health_check_endpoint_port": 70000,
         "graceful_shutdown_timeout_duration": 0, "delivery_guarantee": "exactly_once",
         "analytics_storage_type": "mongo",
         "analytics_storage_config": {"ssl_min_version": "1.3", "ssl_max_version": "1.2",
                                      "timeout": -1, "addrs": ["ok:1", "nope"]},
         "pumps": {"es": {"type": "elasticsearch", "timeout": -2,
                          "meta": {"version": "9", "bulk_config": {"flush_interval": -1}}},
                   "k": {"type": "kafka"},
                   "what": {"type": "nosuch"}}}""";

    ConfigException e = failure(json, env("TYK_PMP_PURGECHUNK=x;TYK_PMP_REDIS_DATABASE=-1"));

    assertThat(e.lines()).containsExactlyInAnyOrder(
        "purge_chunk: \"x\" is not an integer (env TYK_PMP_PURGECHUNK)",
        "pumps.es.meta.version: must be \"7\" or \"8\", got \"9\""
            + " (env TYK_PMP_PUMPS_ELASTICSEARCH_META_VERSION)",
        "pumps.es.meta.bulk_config.flush_interval: must be 0 (default 1 s) or a number of seconds,"
            + " got -1 (env TYK_PMP_PUMPS_ELASTICSEARCH_META_BULKCONFIG_FLUSHINTERVAL)",
        "pumps.k.type: \"kafka\" is a Tyk Pump type that pumpd does not implement; implemented:"
            + " csv, dogstatsd, dummy, elasticsearch, influx2, stdout"
            + " (env TYK_PMP_PUMPS_K_TYPE)",
        "pumps.what.type: unknown pump type \"nosuch\"; known types: csv, dogstatsd, dummy,"
            + " elasticsearch, influx2, stdout (env TYK_PMP_PUMPS_WHAT_TYPE)",
        "purge_delay: must be > 0 (seconds between purge cycles; with 0 Tyk Pump never purges)"
            + " (env TYK_PMP_PURGEDELAY)",
        "graceful_shutdown_timeout_duration: must be > 0 seconds"
            + " (env TYK_PMP_GRACEFULSHUTDOWNTIMEOUTDURATION)",
        "log_level: \"verbose\" is not supported; use debug, info, warn or error"
            + " (env TYK_PMP_LOGLEVEL)",
        "analytics_storage_type: \"mongo\" is not supported; use \"redis\" or leave it empty"
            + " (env TYK_PMP_ANALYTICSSTORAGETYPE)",
        "health_check_endpoint_port: must be between 1 and 65535"
            + " (env TYK_PMP_HEALTHCHECKENDPOINTPORT)",
        "delivery_guarantee: \"exactly_once\" is not supported; use at_most_once or at_least_once"
            + " (env TYK_PMP_DELIVERYGUARANTEE)",
        "analytics_storage_config.addrs[1]: \"nope\" is not host:port"
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_ADDRS)",
        "analytics_storage_config.database: must be >= 0"
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_DATABASE)",
        "analytics_storage_config.timeout: must be >= 0 seconds (0 = the default 5)"
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_TIMEOUT)",
        "analytics_storage_config.ssl_min_version: \"1.3\" is above ssl_max_version \"1.2\""
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_SSLMINVERSION)",
        "pumps.es.timeout: must be >= 0 seconds (0 = no limit) (env TYK_PMP_PUMPS_ES_TIMEOUT)");
    assertThat(e.getMessage()).startsWith("16 configuration problems:\n  ");
    assertThat(ConfigException.EXIT_STATUS).isEqualTo(2);
  }

  @Test
  void healthCheckEndpointAddressIsAnIpOrHostNameAndEmptyMeansAllInterfaces() throws Exception {
    assertThat(load("{" + ONE_PUMP + "}", Map.of()).configuration().healthCheckEndpointAddress())
        .isEmpty();
    assertThat(load("{\"health_check_endpoint_address\": \"::1\", " + ONE_PUMP + "}", Map.of())
        .configuration().healthCheckEndpointAddress()).isEqualTo("::1");

    ConfigException e = failure("{" + ONE_PUMP + "}",
        env("TYK_PMP_HEALTHCHECKENDPOINTADDRESS=0.0.0.0 8083"));

    assertThat(e.lines()).containsExactly("health_check_endpoint_address: \"0.0.0.0 8083\" is not"
        + " an IP address or a host name (leave it empty to listen on all interfaces)"
        + " (env TYK_PMP_HEALTHCHECKENDPOINTADDRESS)");
    assertThat(failure("{\"health_check_endpoint_address\": \"localhost:8083\", " + ONE_PUMP + "}",
        Map.of()).lines()).containsExactly("health_check_endpoint_address: \"localhost:8083\" is"
            + " host:port; give the host only (the port is health_check_endpoint_port)"
            + " (env TYK_PMP_HEALTHCHECKENDPOINTADDRESS)");
  }

  @Test
  void redisAddressesAreCheckedAsTheClientParsesThemWithKeyAndEnvName() {
    ConfigException e = failure("{" + ONE_PUMP + "}", env(
        "TYK_PMP_ANALYTICSSTORAGECONFIG_ADDRS=a:b:6379,ok:1,h:0;"
            + "TYK_PMP_ANALYTICSSTORAGECONFIG_HOSTS=:6379;"
            + "TYK_PMP_ANALYTICSSTORAGECONFIG_PORT=70000"));

    assertThat(e.lines()).containsExactlyInAnyOrder(
        "analytics_storage_config.port: must be between 1 and 65535 (0 = unset), got 70000"
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_PORT)",
        "analytics_storage_config.addrs[0]: \"a:b:6379\" is not host:port (write IPv6 addresses"
            + " as [addr]:port) (env TYK_PMP_ANALYTICSSTORAGECONFIG_ADDRS)",
        "analytics_storage_config.addrs[2]: \"h:0\": port 0 out of range 1..65535"
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_ADDRS)",
        "analytics_storage_config.hosts: \":6379\": empty host"
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_HOSTS)");
  }

  @Test
  void redisTlsFilesAreReadWhenUseSslIsOnAndOnlyThen() throws Exception {
    String missing = dir.resolve("missing-ca.pem").toString();
    ConfigException e = failure("{" + ONE_PUMP + "}", env(
        "TYK_PMP_ANALYTICSSTORAGECONFIG_USESSL=true;TYK_PMP_ANALYTICSSTORAGECONFIG_SSLCAFILE="
            + missing + ";TYK_PMP_ANALYTICSSTORAGECONFIG_SSLCERTFILE=" + dir + ";"
            + "TYK_PMP_ANALYTICSSTORAGECONFIG_SSLKEYFILE=" + dir.resolve("none.key")));

    assertThat(e.lines()).containsExactly(
        "analytics_storage_config.ssl_ca_file: " + missing + ": no such file"
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_SSLCAFILE)",
        "analytics_storage_config.ssl_cert_file: " + dir + ": is a directory, not a PEM file"
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_SSLCERTFILE)",
        "analytics_storage_config.ssl_key_file: " + dir.resolve("none.key") + ": no such file"
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_SSLKEYFILE)");

    // as in Tyk, the files are not used without use_ssl
    assertThat(load("{" + ONE_PUMP + "}", env("TYK_PMP_ANALYTICSSTORAGECONFIG_SSLCAFILE=" + missing))
        .configuration().analyticsStorageConfig().sslCaFile()).isEqualTo(missing);
  }

  @Test
  void aPumpNameWithAControlCharacterIsRejectedAndPrintedOnOneLine() {
    String json = """
        {"pumps": {"evil\\n2026-12-01T00:00:00.000Z INFO  [main] fake": {"type": "stdout"},
                   "ok": {"type": "stdout"}}}""";

    ConfigException e = failure(json, Map.of());

    assertThat(e.lines()).containsExactly("pumps.evil\\n2026-12-01T00:00:00.000Z INFO  [main] fake:"
        + " a pump name must not contain control characters (line breaks, escapes): it is written"
        + " to logs and metrics; rename the pump");
    assertThat(e.getMessage().lines()).hasSize(2);
  }

  @Test
  void warningsAreOneLineEachWhateverTheFileHolds() throws Exception {
    LoadedConfig c = load("{\"bogus\\r\\nFORGED\": 1, " + ONE_PUMP + "}", Map.of());

    assertThat(c.warnings()).anyMatch(w -> w.contains("bogus\\r\\nFORGED"))
        .allMatch(w -> w.chars().noneMatch(ch -> ch < 0x20));
  }

  @Test
  void wrongJsonTypesAreProblemsNotSilentDefaults() {
    String json = """
        {"purge_delay": "10", "dont_purge_uptime_data": "yes", "max_record_size": 1.5,
         "analytics_storage_config": {"addrs": "a:1", "password": 12345678},
         "pumps": {"out": {"type": "stdout", "filters": {"skip_response_codes": ["404"]}}}}""";

    ConfigException e = failure(json, Map.of());

    assertThat(e.lines()).containsExactlyInAnyOrder(
        "purge_delay: expected an integer, got \"10\" (env TYK_PMP_PURGEDELAY)",
        "dont_purge_uptime_data: expected true or false, got \"yes\" (env TYK_PMP_DONTPURGEUPTIMEDATA)",
        "max_record_size: expected an integer, got 1.5 (env TYK_PMP_MAXRECORDSIZE)",
        "analytics_storage_config.addrs: expected a list of strings, got \"a:1\""
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_ADDRS)",
        "analytics_storage_config.password: expected a string, got a number"
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_PASSWORD)",
        "pumps.out.filters.skip_response_codes: expected an integer at index 0, got \"404\""
            + " (env TYK_PMP_PUMPS_OUT_FILTERS_SKIPPEDRESPONSECODES)");
    assertThat(String.join("\n", e.lines())).doesNotContain("12345678");
  }

  @Test
  void invalidJsonFileIsAProblemWithItsPositionAndEnvProblemsStillShow() throws Exception {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, "{\n  \"purge_delay\": 10,\n  \"pumps\": {\n}");

    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> loader.load(file, env("TYK_PMP_PURGECHUNK=-1")));

    assertThat(e.lines()).hasSize(2);
    assertThat(e.lines().get(0)).startsWith("config file " + file + " is not valid JSON at line 4,");
    assertThat(e.lines().get(1)).isEqualTo(
        "purge_chunk: must be >= 0 (0 = drain everything) (env TYK_PMP_PURGECHUNK)");
  }

  @Test
  void trailingGarbageAndNonObjectFilesAreProblems() {
    assertThat(failure("{" + ONE_PUMP + "} x", Map.of()).lines().get(0)).contains("not valid JSON");
    assertThat(failure("[1]", Map.of()).lines()).containsExactly(
        "config file " + dir.resolve("pump.conf") + " must hold a JSON object, not a array");
  }

  @Test
  void omitConfigFileSkipsTheFileOnlyForTrueAsInTyk() throws Exception {
    String json = "{\"purge_delay\": 3, " + ONE_PUMP + "}";
    LoadedConfig skipped = load(json, env("TYK_PMP_OMITCONFIGFILE=True;TYK_PMP_PUMPS_CSV_TYPE=csv"));
    LoadedConfig notSkipped = load(json, env("TYK_PMP_OMITCONFIGFILE=1"));

    assertThat(skipped.configuration().purgeDelaySeconds()).isEqualTo(10);
    assertThat(skipped.pumps().keySet()).containsExactly("csv");
    assertThat(skipped.configFile()).isEmpty();
    assertThat(notSkipped.configuration().purgeDelaySeconds()).isEqualTo(3);
    assertThat(notSkipped.warnings()).contains("TYK_PMP_OMITCONFIGFILE=1 does not skip the config"
        + " file: Tyk Pump skips it only for \"true\"");
  }

  @Test
  void noPumpsIsAProblem() {
    ConfigException e = failure("{\"pumps\": {}}", Map.of());

    assertThat(e.lines()).containsExactly("pumps: no pumps configured (Tyk Pump: \"No pumps"
        + " configured\") (env TYK_PMP_PUMPS_<NAME>_TYPE)");
  }

  @Test
  void pumpKeysThatDifferOnlyInCaseCollide() {
    ConfigException e = failure(
        "{\"pumps\": {\"csv\": {\"type\": \"csv\"}, \"CSV\": {\"type\": \"csv\"}}}", Map.of());

    assertThat(e.lines()).containsExactly("pumps.CSV: collides with pumps.csv: Tyk Pump"
        + " upper-cases pump names, so both are CSV");
  }

  @Test
  void fileEntryWithoutTypeUsesItsKeyAsTyk() throws Exception {
    LoadedConfig c = load("{\"pumps\": {\"DogStatsD\": {\"meta\": {\"namespace\": \"p\"}}}}",
        Map.of());

    assertThat(c.pumps().get("DogStatsD").type()).isEqualTo("dogstatsd");
  }

  @Test
  void unknownKeysAndEnvVarsAreWarnedAboutByPath() throws Exception {
    String json = """
        {"purge_dely": 1, "analytics_storage_config": {"hostt": "x"},
         "pumps": {"es": {"type": "elasticsearch", "timout": 3,
                          "filters": {"skip_response_code": [500]},
                          "meta": {"use_sniffin": true, "enable_sniffing": true,
                                   "bulk_config": {"worker": 2}}}}}""";

    LoadedConfig c = load(json, env("TYK_PMP_PURGEDELAYY=1;TYK_PMP_PUMPS_ES_META_VERSIONN=8;"
        + "TYK_PMP_ANALYTICSSTORAGECONFIG_HOSTT=x;TYK_PMP_BUILDDEMODATA=org1"));

    assertThat(c.warnings()).containsExactlyInAnyOrder(
        "unknown key purge_dely is ignored",
        "unknown key analytics_storage_config.hostt is ignored",
        "unknown key pumps.es.timout is ignored",
        "unknown key pumps.es.filters.skip_response_code is ignored",
        "unknown key pumps.es.meta.use_sniffin is ignored",
        "unknown key pumps.es.meta.enable_sniffing is ignored",
        "unknown key pumps.es.meta.bulk_config.worker is ignored",
        "env var TYK_PMP_ANALYTICSSTORAGECONFIG_HOSTT matches no setting and is ignored",
        "env var TYK_PMP_PUMPS_ES_META_VERSIONN matches no setting and is ignored",
        "env var TYK_PMP_PURGEDELAYY matches no setting and is ignored");
  }

  @Test
  void deprecatedAndUnsupportedSettingsAreWarnedAbout() throws Exception {
    String json = """
        {"raw_request_decoded": true, "omit_config_file": true, "kv": {"stores": {}},
         "uptime_pump_config": {"uptime_type": "sql"},
         "analytics_storage_config": {"host": "redis", "optimisation_max_idle": 100,
                                      "redis_key_prefix": "a-", "redis_use_ssl": true},
         "pumps": {"out": {"type": "stdout", "name": "old", "ignore_fields": ["api_key", "apikey"]}}}""";

    LoadedConfig c = load(json, env("TYK_PMP_REDIS_PORT=6379;TYK_PMP_UPTIMEPUMPCONFIG_MONGOURL=m"));

    assertThat(c.warnings()).containsExactlyInAnyOrder(
        "TYK_PMP_REDIS_PORT is deprecated; use TYK_PMP_TEMPORAL_STORAGE_* or"
            + " TYK_PMP_ANALYTICSSTORAGECONFIG_*",
        "TYK_PMP_UPTIMEPUMPCONFIG_MONGOURL: uptime_pump_config is not supported (no Mongo or SQL"
            + " uptime pump); ignored",
        "raw_request_decoded/raw_response_decoded at the top level are deprecated and do nothing"
            + " (as in Tyk Pump); set them per pump",
        "kv is not supported: secret stores are not read",
        "uptime_pump_config is ignored: pumpd has no Mongo or SQL uptime pump; uptime data is"
            + " drained only by configured pumps that accept uptime records",
        "omit_config_file in the config file has no effect (as in Tyk Pump); set"
            + " TYK_PMP_OMITCONFIGFILE=true instead",
        "analytics_storage_config.optimisation_max_idle is not used (as in Tyk Pump)",
        "analytics_storage_config.redis_key_prefix is deprecated; use key_prefix",
        "analytics_storage_config.redis_use_ssl/redis_ssl_insecure_skip_verify are deprecated;"
            + " use use_ssl/ssl_insecure_skip_verify",
        "pumps.out.name is deprecated and ignored",
        "pumps.out.ignore_fields: \"apikey\" is not a field of the analytics record and is ignored");
  }

  @Test
  void kvReferencesAreProblems() {
    ConfigException e = failure("{\"analytics_storage_config\": {\"password\": \"kv://vault/redis\"},"
        + ONE_PUMP + "}", Map.of());

    assertThat(e.lines()).containsExactly("analytics_storage_config.password: is a Tyk KV"
        + " reference, which pumpd does not resolve; put the value itself in the file or in the"
        + " env var (env TYK_PMP_ANALYTICSSTORAGECONFIG_PASSWORD)");
  }

  @Test
  void listOfObjectsCannotBeSetFromEnvAsInTyk() throws Exception {
    String json = """
        {"pumps": {"influx2": {"type": "influx2", "meta": {"address": "http://i:8086",
            "organization": "o", "bucket": "b", "new_bucket_config":
            {"retention_rules": [{"every_seconds": 3600, "type": "expire"}]}}}}}""";

    LoadedConfig c = load(json, env("TYK_PMP_PUMPS_INFLUX2_META_NEWBUCKETCONFIG_RETENTIONRULES=x"));

    assertThat(c.pumps().get("influx2").settings(Influx2Settings.class).newBucketConfig()
        .retentionRules().get(0).everySeconds()).isEqualTo(3600);
    assertThat(c.warnings()).containsExactly("TYK_PMP_PUMPS_INFLUX2_META_NEWBUCKETCONFIG_RETENTIONRULES"
        + " is ignored: pumps.influx2.meta.new_bucket_config.retention_rules cannot be set from the"
        + " environment");
  }

  @Test
  void badMapAndListItemsFromEnvAreProblems() {
    ConfigException e = failure("{" + ONE_PUMP + "}", env(
        "TYK_PMP_ANALYTICSSTORAGECONFIG_HOSTS=h1:1,h2;TYK_PMP_PUMPS_OUT_FILTERS_RESPONSECODES=200,x"));

    assertThat(e.lines()).containsExactlyInAnyOrder(
        "analytics_storage_config.hosts: \"h1:1,h2\" is not a key:value list (item without ':')"
            + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_HOSTS)",
        "pumps.out.filters.response_codes: \"200,x\" (element \"x\" is not an integer)"
            + " (env TYK_PMP_PUMPS_OUT_FILTERS_RESPONSECODES)");
  }

  @Test
  void emptyNumericEnvValueIsIgnoredWithAWarning() throws Exception {
    LoadedConfig c = load("{\"purge_delay\": 3, " + ONE_PUMP + "}", env("TYK_PMP_PURGEDELAY="));

    assertThat(c.configuration().purgeDelaySeconds()).isEqualTo(3);
    assertThat(c.warnings()).containsExactly("TYK_PMP_PURGEDELAY is empty and ignored");
  }

  @Test
  void secretsNeverAppearInRenderedConfigProblemsOrWarnings() throws Exception {
    String json = """
        {"analytics_storage_config": {"sentinel_password": "sentinel-secret-1"},
         "kv": {"stores": {"vault": {"token": "vault-token-1"}}},
         "pumps": {"es": {"type": "elasticsearch",
                          "meta": {"elasticsearch_url": "https://elastic:url-pass-1@es:9200",
                                   "auth_basic_password": "es-basic-secret-1",
                                   "auth_api_key": 99}},
                   "sloppy": {"type": "sloppy", "meta": {"token": "bad-token-secret-1"}}}}""";
    Map<String, String> env = env("TYK_PMP_ANALYTICSSTORAGECONFIG_PASSWORD=redis-secret-1;"
        + "TYK_PMP_PUMPS_ES_META_PASSWORD=es-env-secret-1;TYK_PMP_PUMPS_ES_META_AUTHAPIKEY=a;"
        + "TYK_PMP_PUMPS_ES_META_AUTHAPIKEYID=id-1");
    List<String> secrets = List.of("sentinel-secret-1", "vault-token-1", "url-pass-1",
        "es-basic-secret-1", "bad-token-secret-1", "redis-secret-1", "es-env-secret-1");

    ConfigLoader sloppyLoader = new ConfigLoader(typesWith("sloppy", SloppySettings.class));

    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> sloppyLoader.load(write(dir, json), env));
    // the careless validator's message is redacted; the wrong-typed api key is not quoted
    assertThat(e.lines()).contains("pumps.sloppy.meta.token: token **** was rejected"
        + " (env TYK_PMP_PUMPS_SLOPPY_META_TOKEN)");
    String everything = e.getMessage() + String.join("\n", e.warnings());
    secrets.forEach(s -> assertThat(everything).doesNotContain(s));

    // the same config made valid: rendered output masks every secret, keeps the rest
    LoadedConfig ok = sloppyLoader.load(
        write(dir, json.replace("bad-token", "good-token").replace("99", "\"k\"")), env);
    String rendered = EffectiveConfigPrinter.render(ok);
    secrets.forEach(s -> assertThat(rendered).doesNotContain(s));
    assertThat(rendered).doesNotContain("good-token-secret-1");
    assertThat(rendered).contains("https://elastic:****@es:9200", "\"id-1\"");
    secrets.forEach(s -> assertThat(String.join("\n", ok.warnings())).doesNotContain(s));
    assertThat(ok.configuration().analyticsStorageConfig().password().reveal())
        .isEqualTo("redis-secret-1");
  }

  @Test
  void effectiveConfigShowsDefaultsEnvValuesAndMetaPrefixes() throws Exception {
    LoadedConfig c = new ConfigLoader(typesWith("sloppy", SloppySettings.class)).load(
        write(dir, "{" + ONE_PUMP + "}"), env("TYK_PMP_PUMPS_ES_TYPE=elasticsearch;"
            + "TYK_PMP_PUMPS_ES_META_BULKCONFIG_WORKERS=3;TYK_PMP_PURGECHUNK=7;"
            + "TYK_PMP_PUMPS_SLOPPY_TYPE=sloppy"));

    var tree = EffectiveConfigPrinter.toTree(c);

    assertThat(tree.get("purge_chunk").asLong()).isEqualTo(7);
    assertThat(tree.get("purge_delay").asInt()).isEqualTo(10);
    assertThat(tree.at("/analytics_storage_config/ssl_min_version").asText()).isEqualTo("1.2");
    assertThat(tree.at("/pumps/es/meta/bulk_config/workers").asInt()).isEqualTo(3);
    assertThat(tree.at("/pumps/es/meta/index_name").asText()).isEqualTo("tyk_analytics");
    assertThat(tree.at("/pumps/es/meta/meta_env_prefix").asText()).isEqualTo("TYK_PMP_PUMPS_ES_META");
    assertThat(tree.at("/pumps/sloppy/meta").has("computedToken")).isFalse();
    assertThat(tree.at("/pumps/sloppy/meta/token").asText()).isEmpty();
    assertThat(tree.at("/pumps/out/type").asText()).isEqualTo("stdout");
  }

  /**
   * A careless sink's settings: its validator quotes its own secret, and it has a bean-style
   * getter. The loader must keep the secret out of every message, and the printer must not take
   * the getter for a setting.
   */
  public static final class SloppySettings implements SelfValidating {
    @JsonProperty("token")
    private Secret token = Secret.EMPTY;

    /** Not a setting: a value computed from one. */
    public String getComputedToken() {
      return token.reveal() + "-x";
    }

    @Override
    public void validate(ConfigProblems problems) {
      if (token.reveal().startsWith("bad")) {
        problems.add("token", "token " + token.reveal() + " was rejected");
      }
    }
  }

  /** A sink may write its settings as a record; env names still come from the components. */
  record RecordSettings(
      @JsonProperty("workers") int workers,
      @JsonProperty("nick_name") @EnvName("NICK") String nickName,
      @JsonProperty("api_token") Secret apiToken) {}

  @Test
  void settingsMayBeRecords() throws Exception {
    ConfigLoader recordLoader = new ConfigLoader(PumpTypes.of(Map.of("rec", RecordSettings.class)));

    LoadedConfig c = recordLoader.load(write(dir, "{\"pumps\": {\"rec\": {\"meta\": {\"workers\": 2}}}}"),
        env("TYK_PMP_PUMPS_REC_META_NICK=n;TYK_PMP_PUMPS_REC_META_APITOKEN=rec-token-1"));

    RecordSettings s = c.pumps().get("rec").settings(RecordSettings.class);
    assertThat(s).isEqualTo(new RecordSettings(2, "n", Secret.of("rec-token-1")));
    String rendered = EffectiveConfigPrinter.render(c);
    assertThat(rendered).contains("\"workers\" : 2", "\"nick_name\" : \"n\"", "\"api_token\" : \"****\"")
        .doesNotContain("rec-token-1");
  }

  @Test
  void valuesJacksonCannotBindAreProblemsAtTheirPath() {
    String json = """
        {"pumps": {"influx2": {"type": "influx2", "meta": {"address": "http://i:8086",
            "organization": "o", "bucket": "b", "new_bucket_config":
            {"retention_rules": [{"every_seconds": "soon"}]}}}}}""";

    ConfigException e = failure(json, Map.of());

    assertThat(e.lines()).singleElement().asString().startsWith(
        "pumps.influx2.meta.new_bucket_config.retention_rules[0].every_seconds: cannot be bound:");
  }
}
