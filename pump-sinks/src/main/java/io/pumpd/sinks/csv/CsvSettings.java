package io.pumpd.sinks.csv;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code meta} of a {@code csv} pump. Env: {@code TYK_PMP_PUMPS_CSV_META_CSVDIR}. */
public final class CsvSettings {
  /** Directory for the CSV files; created at start. Empty means the working directory. */
  @JsonProperty("csv_dir")
  private String csvDir = "";

  public String csvDir() {
    return csvDir == null || csvDir.isEmpty() ? "." : csvDir;
  }
}
