package io.pumpd.app.hostile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * Makes a directory read-only for the daemon and writable again, as an operator's mistake or a
 * remounted volume would: as root (who ignores permission bits) with a read-only bind mount of the
 * directory onto itself, otherwise by removing its write permission.
 */
final class ReadOnlyDirectory implements AutoCloseable {
  private final Path dir;
  private final boolean mounted;
  private boolean readOnly;

  private ReadOnlyDirectory(Path dir, boolean mounted) {
    this.dir = dir;
    this.mounted = mounted;
  }

  /** Creates {@code dir} if needed and makes it read-only. */
  static ReadOnlyDirectory of(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    boolean root = "root".equals(System.getProperty("user.name"));
    ReadOnlyDirectory d = new ReadOnlyDirectory(dir, root);
    if (root) {
      run("mount", "--bind", dir.toString(), dir.toString());
      run("mount", "-o", "remount,bind,ro", dir.toString());
    } else {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    d.readOnly = true;
    return d;
  }

  /** Makes the directory writable again. */
  void makeWritable() throws IOException, InterruptedException {
    if (!readOnly) {
      return;
    }
    if (mounted) {
      run("umount", dir.toString());
    } else {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    readOnly = false;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    makeWritable();
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: "
          + new String(p.getInputStream().readAllBytes()));
    }
  }
}
