package io.pumpd.sinks.influx2;

import com.influxdb.client.BucketsQuery;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.OrganizationsQuery;
import com.influxdb.client.domain.Bucket;
import com.influxdb.client.domain.BucketRetentionRules;
import com.influxdb.client.domain.Organization;
import com.influxdb.client.domain.PostBucketRequest;
import com.influxdb.exceptions.InfluxException;
import com.influxdb.exceptions.NotFoundException;
import com.influxdb.exceptions.UnprocessableEntityException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Tyk's influx2 pump does at init, done when the pump first needs it: check the server
 * answers {@code /ping}, find the organization by name, find the bucket in it, and create the
 * bucket when it is missing and {@code create_missing_bucket} is set (with {@code
 * new_bucket_config}). Stateless apart from its settings; one call at a time (the pump
 * serializes).
 */
final class Influx2BucketSetup {
  private static final Logger LOG = LoggerFactory.getLogger(Influx2BucketSetup.class);

  /** The organization or bucket does not exist (and may not be created): a configuration problem. */
  static final class MissingException extends Exception {
    private static final long serialVersionUID = 1L;

    MissingException(String message) {
      super(message);
    }
  }

  private final Influx2Settings settings;

  Influx2BucketSetup(Influx2Settings settings) {
    this.settings = settings;
  }

  /**
   * Runs the checks.
   *
   * @throws MissingException the organization or bucket is missing and cannot be created
   * @throws Influx2RequestException a request failed (unreachable, 401, 5xx, ...)
   */
  void run(InfluxDBClient client) throws MissingException, Influx2RequestException {
    if (!client.ping()) {
      throw new Influx2RequestException(
          0, "influx2: " + settings.address() + " does not answer /ping", null, null);
    }
    if (!settings.verifyBucket()) {
      return;
    }
    String orgId = findOrganization(client);
    if (findBucket(client, orgId)) {
      LOG.info("influx2: using bucket '{}' of organization '{}'", settings.bucket(), settings.organization());
      return;
    }
    if (!settings.createMissingBucket()) {
      throw new MissingException(
          "bucket '" + settings.bucket() + "' not found in organization '" + settings.organization()
              + "' (set create_missing_bucket to create it)");
    }
    createBucket(client, orgId);
  }

  private String findOrganization(InfluxDBClient client) throws MissingException, Influx2RequestException {
    OrganizationsQuery q = new OrganizationsQuery();
    q.setOrg(settings.organization());
    List<Organization> orgs;
    try {
      orgs = client.getOrganizationsApi().findOrganizations(q);
    } catch (NotFoundException e) {
      orgs = List.of();
    } catch (InfluxException e) {
      throw Influx2RequestException.from(e, "organization lookup");
    }
    return orgs.stream()
        .filter(o -> settings.organization().equals(o.getName()))
        .map(Organization::getId)
        .findFirst()
        .orElseThrow(() -> new MissingException("organization '" + settings.organization() + "' not found"));
  }

  private boolean findBucket(InfluxDBClient client, String orgId) throws Influx2RequestException {
    BucketsQuery q = new BucketsQuery();
    q.setOrgID(orgId);
    q.setName(settings.bucket());
    try {
      return client.getBucketsApi().findBuckets(q).stream()
          .map(Bucket::getName)
          .anyMatch(settings.bucket()::equals);
    } catch (NotFoundException e) {
      return false;
    } catch (InfluxException e) {
      throw Influx2RequestException.from(e, "bucket lookup");
    }
  }

  private void createBucket(InfluxDBClient client, String orgId) throws Influx2RequestException {
    Influx2Settings.NewBucketConfig conf = settings.newBucketConfig();
    PostBucketRequest req =
        new PostBucketRequest().orgID(orgId).name(settings.bucket()).description(conf.description());
    for (Influx2Settings.RetentionRule r : conf.retentionRules()) {
      BucketRetentionRules rule = new BucketRetentionRules().everySeconds((int) r.everySeconds());
      if (r.shardGroupDurationSeconds() > 0) {
        rule.shardGroupDurationSeconds(r.shardGroupDurationSeconds());
      }
      req.addRetentionRulesItem(rule);
    }
    try {
      client.getBucketsApi().createBucket(req);
      LOG.info("influx2: created bucket '{}' in organization '{}'", settings.bucket(), settings.organization());
    } catch (UnprocessableEntityException e) {
      // Created concurrently (InfluxDB answers 422 "bucket with name ... already exists").
      if (!findBucket(client, orgId)) {
        throw Influx2RequestException.from(e, "bucket creation");
      }
    } catch (InfluxException e) {
      throw Influx2RequestException.from(e, "bucket creation");
    }
  }
}
