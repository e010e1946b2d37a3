package io.pumpd.app.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version from the build ({@code pumpd-version.properties}). */
public final class VersionProvider implements IVersionProvider {

  /** The project version, or {@code unknown} when run outside a build. */
  public static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream("/pumpd-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "pumpd " + version() + " (Tyk Pump compatible; Java " + Runtime.version() + ")"
    };
  }
}
