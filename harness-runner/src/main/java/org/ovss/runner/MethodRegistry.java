package org.ovss.runner;

import java.util.Collection;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.ovss.api.MethodProvider;
import org.ovss.api.OvssException;
import org.ovss.api.UnknownNameException;

/** The method plugins on the classpath, found with {@link ServiceLoader} and looked up by id. */
public final class MethodRegistry {
  private final Map<String, MethodProvider> providers;

  private MethodRegistry(Map<String, MethodProvider> providers) {
    this.providers = providers;
  }

  /** Discovers every {@link MethodProvider} visible to the given class loader. */
  public static MethodRegistry discover(ClassLoader loader) {
    Map<String, MethodProvider> found = new TreeMap<>();
    try {
      for (MethodProvider p : ServiceLoader.load(MethodProvider.class, loader)) {
        MethodProvider previous = found.putIfAbsent(p.id(), p);
        if (previous != null) {
          throw new OvssException("two plugins claim method id '" + p.id() + "': " + previous.getClass().getName()
              + " and " + p.getClass().getName());
        }
      }
    } catch (ServiceConfigurationError e) {
      throw new OvssException("a method plugin failed to load: " + e.getMessage(), e);
    }
    return new MethodRegistry(found);
  }

  public static MethodRegistry discover() {
    return discover(Thread.currentThread().getContextClassLoader());
  }

  /** The provider with this id, or an error listing the ids that exist. */
  public MethodProvider get(String id) {
    MethodProvider p = providers.get(id);
    if (p == null) {
      throw new UnknownNameException("method", id, providers.keySet());
    }
    return p;
  }

  /** All providers, ordered by id. */
  public Collection<MethodProvider> all() {
    return providers.values();
  }
}
