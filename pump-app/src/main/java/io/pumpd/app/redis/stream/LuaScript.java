package io.pumpd.app.redis.stream;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.pumpd.core.concurrent.Causes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * A Lua script shipped as a resource next to this class, run with {@code EVALSHA}; when the
 * server does not know it ({@code NOSCRIPT}: first use, Redis restarted, another Cluster node) it
 * is sent once with {@code EVAL}, which also caches it. Immutable and thread-safe.
 */
final class LuaScript {
  static final LuaScript MOVE = load("move.lua");
  static final LuaScript TRIM = load("trim.lua");

  private final String name;
  private final String source;
  private final String sha1;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha1 = sha1(source);
  }

  static LuaScript load(String resource) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new LuaScript(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String name() {
    return name;
  }

  /** Runs the script on {@code commands}' connection; the future fails with the server's error. */
  <T> CompletableFuture<T> run(RedisAsyncCommands<String, byte[]> commands, ScriptOutputType type,
      String[] keys, byte[]... args) {
    CompletableFuture<T> first =
        commands.<T>evalsha(sha1, type, keys, args).toCompletableFuture();
    return first.handle((result, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(result);
      }
      Throwable cause = Causes.unwrap(error);
      if (cause instanceof RedisNoScriptException
          || String.valueOf(cause.getMessage()).startsWith("NOSCRIPT")) {
        return commands.<T>eval(source, type, keys, args).toCompletableFuture();
      }
      return CompletableFuture.<T>failedFuture(cause);
    }).thenCompose(f -> f);
  }

  static byte[] arg(Object value) {
    return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
