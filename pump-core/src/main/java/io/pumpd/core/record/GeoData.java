package io.pumpd.core.record;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/**
 * The gateway's MaxMind lookup for the client IP ({@code Geo}). Immutable.
 *
 * @param country msgpack {@code Country}, json {@code country}
 * @param city msgpack {@code City}, json {@code city}
 * @param location msgpack {@code Location}, json {@code location}
 */
@JsonPropertyOrder({"country", "city", "location"})
public record GeoData(
    @JsonProperty("country") Country country,
    @JsonProperty("city") City city,
    @JsonProperty("location") Location location) {

  /** The zero value, as a gateway without GeoIP writes it. */
  public static final GeoData EMPTY = new GeoData(Country.EMPTY, City.EMPTY, Location.EMPTY);

  public GeoData {
    country = country == null ? Country.EMPTY : country;
    city = city == null ? City.EMPTY : city;
    location = location == null ? Location.EMPTY : location;
  }

  /** @param isoCode msgpack {@code ISOCode}, json {@code iso_code} */
  public record Country(@JsonProperty("iso_code") String isoCode) {
    public static final Country EMPTY = new Country("");

    public Country {
      isoCode = isoCode == null ? "" : isoCode;
    }
  }

  /**
   * @param geoNameId msgpack {@code GeoNameID} (Go {@code uint}), json {@code geoname_id}
   * @param names msgpack {@code Names}, json {@code names}; {@code null} when the gateway wrote nil
   */
  @JsonPropertyOrder({"geoname_id", "names"})
  public record City(
      @JsonProperty("geoname_id") long geoNameId, @JsonProperty("names") Map<String, String> names) {
    public static final City EMPTY = new City(0, null);
  }

  /**
   * @param latitude msgpack {@code Latitude} (float64), json {@code latitude}
   * @param longitude msgpack {@code Longitude} (float64), json {@code longitude}
   * @param timeZone msgpack {@code TimeZone}, json {@code time_zone}
   */
  @JsonPropertyOrder({"latitude", "longitude", "time_zone"})
  public record Location(
      @JsonProperty("latitude") double latitude,
      @JsonProperty("longitude") double longitude,
      @JsonProperty("time_zone") String timeZone) {
    public static final Location EMPTY = new Location(0, 0, "");

    public Location {
      timeZone = timeZone == null ? "" : timeZone;
    }
  }
}
