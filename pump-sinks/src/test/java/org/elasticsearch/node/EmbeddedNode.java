package org.elasticsearch.node;

import java.util.List;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

/**
 * Test-only shim: an Elasticsearch {@link Node} whose plugins come from the classpath (for the HTTP
 * layer, {@code Netty4Plugin}). In ES's package because {@code NodeConstruction} and {@code
 * NodeServiceProvider} are package-private. Coupled to Elasticsearch 8.19.21.
 */
public final class EmbeddedNode extends Node {

  public EmbeddedNode(Environment env, List<Class<? extends Plugin>> plugins) {
    super(
        NodeConstruction.prepareConstruction(
            env,
            ClasspathPluginsService.emptyLoader(),
            new NodeServiceProvider() {
              @Override
              PluginsService newPluginService(Environment e, PluginsLoader loader) {
                return new ClasspathPluginsService(e.settings(), e.configDir(), loader, plugins);
              }
            },
            true));
  }
}
