package org.elasticsearch.plugins;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.elasticsearch.Build;
import org.elasticsearch.common.settings.Settings;

/**
 * Test-only shim: a {@link PluginsService} that also loads plugin classes found on the classpath,
 * standing in for ES's {@code MockNode} "classpath plugins" (the ES test framework is not on Maven
 * Central). It lives in ES's package because the hooks it uses are package-private; it is coupled
 * to Elasticsearch 8.19.21 (see test-backends.md §4.3) and may need adjusting on upgrades.
 */
public final class ClasspathPluginsService extends PluginsService {
  private final List<LoadedPlugin> extra;

  public ClasspathPluginsService(
      Settings settings,
      Path configDir,
      PluginsLoader loader,
      List<Class<? extends Plugin>> pluginClasses) {
    super(settings, configDir, loader);
    List<LoadedPlugin> loaded = new ArrayList<>();
    for (Class<? extends Plugin> pluginClass : pluginClasses) {
      PluginDescriptor descriptor =
          new PluginDescriptor(
              pluginClass.getName(),
              "classpath plugin " + pluginClass.getSimpleName(),
              "NA",
              Build.current().version(),
              Integer.toString(Runtime.version().feature()),
              pluginClass.getName(),
              null,
              List.of(),
              false,
              false,
              false,
              false);
      Plugin instance = loadPlugin(pluginClass, settings, configDir);
      loaded.add(new LoadedPlugin(descriptor, instance, pluginClass.getClassLoader()));
    }
    loadExtensions(loaded);
    this.extra = List.copyOf(loaded);
  }

  /** A loader with no plugin bundles (the real factory needs ES on the module path). */
  public static PluginsLoader emptyLoader() {
    return new PluginsLoader(Set.of(), Set.of(), Map.of());
  }

  @Override
  protected List<LoadedPlugin> plugins() {
    List<LoadedPlugin> all = new ArrayList<>(super.plugins());
    all.addAll(extra);
    return all;
  }
}
