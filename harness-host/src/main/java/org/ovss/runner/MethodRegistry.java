package org.ovss.runner;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.ovss.api.MethodProvider;
import org.ovss.api.UnknownNameException;
import org.ovss.api.plugins.PluginRegistry;

/** The method plugins (built in and drop-in, see {@link PluginRegistry}), looked up by id. */
public final class MethodRegistry {
  private final Map<String, PluginRegistry.Service<MethodProvider>> providers;

  private MethodRegistry(Map<String, PluginRegistry.Service<MethodProvider>> providers) {
    this.providers = providers;
  }

  /** The methods of the process's {@link PluginRegistry} (method ids are unique there). */
  public static MethodRegistry discover() {
    return of(PluginRegistry.get());
  }

  public static MethodRegistry of(PluginRegistry registry) {
    Map<String, PluginRegistry.Service<MethodProvider>> found = new TreeMap<>();
    for (PluginRegistry.Service<MethodProvider> s : registry.services(MethodProvider.class)) {
      found.put(s.instance().id(), s);
    }
    return new MethodRegistry(found);
  }

  /** The provider with this id, or an error listing the ids that exist. */
  public MethodProvider get(String id) {
    return service(id).instance();
  }

  /** Where the method with this id comes from (built in, or the plugin jar) and its version. */
  public PluginRegistry.Origin origin(String id) {
    return service(id).origin();
  }

  private PluginRegistry.Service<MethodProvider> service(String id) {
    PluginRegistry.Service<MethodProvider> s = providers.get(id);
    if (s == null) {
      throw new UnknownNameException("method", id, providers.keySet());
    }
    return s;
  }

  /** All providers, ordered by id. */
  public Collection<MethodProvider> all() {
    return providers.values().stream().map(PluginRegistry.Service::instance).toList();
  }
}
