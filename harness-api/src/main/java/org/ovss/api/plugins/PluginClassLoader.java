package org.ovss.api.plugins;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin: the JDK, the harness API, DJL (its native library can be loaded by one class loader
 * only), Jackson and slf4j come from the host, parent-first, so that the SPI types and tensors a plugin exchanges
 * with the harness are the host's; every other class and resource is looked up in the plugin's own jars first
 * (child-first), so that a library a plugin bundles stays private to it and two plugins may bundle two versions of
 * one library. What a plugin does not bring (clip-core, say, for a plugin jar built against it) falls back to the
 * host.
 */
public final class PluginClassLoader extends URLClassLoader {
  /** Package prefixes always taken from the host. */
  public static final List<String> SHARED = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.", "org.xml.",
      "org.ovss.api.", "org.ovss.reports.", "ai.djl.", "com.fasterxml.jackson.", "org.slf4j.");

  static {
    ClassLoader.registerAsParallelCapable();
  }

  PluginClassLoader(String name, URL[] jars, ClassLoader host) {
    super(name, jars, host);
  }

  static boolean shared(String className) {
    for (String prefix : SHARED) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (shared(name)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        try {
          c = findClass(name);
        } catch (ClassNotFoundException notOwn) {
          c = getParent().loadClass(name);
        }
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  @Override
  public URL getResource(String name) {
    if (shared(name.replace('/', '.'))) {
      return super.getResource(name);
    }
    URL own = findResource(name);
    return own != null ? own : getParent().getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
    all.addAll(Collections.list(getParent().getResources(name)));
    return Collections.enumeration(all);
  }

  /** The resources of that name in the plugin's own jars only. */
  List<URL> ownResources(String name) throws IOException {
    return Collections.list(findResources(name));
  }
}
