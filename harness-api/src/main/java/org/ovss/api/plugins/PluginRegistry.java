package org.ovss.api.plugins;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.JarURLConnection;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.ovss.api.InvalidInputException;
import org.ovss.api.MethodProvider;
import org.ovss.api.OvssException;

/**
 * Everything the harness can be extended with, found once per process: the built-ins on the host class path and the
 * drop-in plugins (given with {@code --plugins}, listed in {@code OVSS_PLUGIN_PATH}, or in {@code ~/.ovss/plugins}).
 * It serves every SPI ({@link #all(Class)}: methods, post-processors, feature metrics, report renderers) and the data
 * files plugins bring ({@link #data(String, String)}: {@code META-INF/ovss/KIND/NAME.json}, prompt sets as
 * {@code NAME.txt}), the built-in ones included.
 *
 * <p>A plugin path is a jar (one plugin) or a folder. In a folder, every jar that registers an {@code org.ovss}
 * service or carries {@code META-INF/ovss/} data is a plugin, and the folder's other jars (and those in its
 * {@code lib/}) are its private libraries; each other sub-folder is read the same way. Each plugin gets its own
 * {@link PluginClassLoader}. A plugin that fails to load (not a jar, a class that is missing or of the wrong type, a
 * broken services line, a method id another one already has) is left out and reported in {@link #problems()}, one
 * line naming its jar; the others still work.
 */
public final class PluginRegistry {
  /** The environment variable holding extra plugin paths (separated by the platform's path separator). */
  public static final String ENV = "OVSS_PLUGIN_PATH";
  /** The kinds of data a plugin may bring, each a folder {@code META-INF/ovss/KIND/}. */
  public static final List<String> KINDS = List.of("protocols", "prompts", "boards", "datasets");
  private static final String DATA_DIR = "META-INF/ovss/";
  private static final String SERVICES_DIR = "META-INF/services/";

  private static PluginRegistry current;
  private static List<Path> currentPaths;

  /** Where a service or a data file came from: {@code jar == null} for the host's built-ins. */
  public record Origin(Path jar, String version) {
    public boolean builtIn() {
      return jar == null;
    }

    @Override
    public String toString() {
      return jar == null ? "built in" : jar.toString();
    }
  }

  /** One instance of an SPI and where it came from. */
  public record Service<T>(T instance, Origin origin) {}

  /** One data file: {@code kind} is one of {@link #KINDS}. */
  public record Data(String kind, String name, URL url, Origin origin) {
    /** The file's text (UTF-8). */
    public String read() {
      try (InputStream in = open()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + url, e);
      }
    }

    public InputStream open() throws IOException {
      URLConnection c = url.openConnection();
      c.setUseCaches(false);
      return c.getInputStream();
    }

    /** Where it is, for messages: the file, or the jar and the entry in it. */
    public String where() {
      String u = url.toString();
      u = u.startsWith("jar:") ? u.substring(4) : u;
      return u.startsWith("file:") ? u.substring(5) : u;
    }
  }

  private final ClassLoader host;
  private final List<Plugin> plugins;
  private final List<String> problems;
  private final Map<String, Map<String, List<Data>>> data;
  private final Map<Class<?>, List<Service<?>>> hostServices = new ConcurrentHashMap<>();

  private PluginRegistry(ClassLoader host, List<Plugin> plugins, List<String> problems, Map<String, Map<String, List<Data>>> data) {
    this.host = host;
    this.plugins = plugins;
    this.problems = problems;
    this.data = data;
  }

  /** The process's registry: the one {@link #configure} built, or else the built-ins and the default plugin paths. */
  public static synchronized PluginRegistry get() {
    return current != null ? current : configure(List.of());
  }

  /**
   * Builds the process's registry from the host class path plus {@code paths}, then {@code OVSS_PLUGIN_PATH}, then
   * {@code ~/.ovss/plugins}; asked again with the same paths it returns the registry it built.
   */
  public static synchronized PluginRegistry configure(List<Path> paths) {
    List<Path> all = new ArrayList<>(paths);
    String env = System.getenv(ENV);
    if (env != null) {
      Stream.of(env.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).forEach(all::add);
    }
    Path home = Path.of(System.getProperty("user.home"), ".ovss", "plugins");
    if (Files.isDirectory(home)) {
      all.add(home);
    }
    if (current == null || !all.equals(currentPaths)) {
      ClassLoader tccl = Thread.currentThread().getContextClassLoader();
      current = build(tccl != null ? tccl : PluginRegistry.class.getClassLoader(), all);
      currentPaths = List.copyOf(all);
    }
    return current;
  }

  /** A registry of the built-ins visible to {@code host} and the plugins at {@code paths} (see the class comment). */
  public static PluginRegistry build(ClassLoader host, List<Path> paths) {
    List<String> problems = new ArrayList<>();
    List<Plugin> plugins = new ArrayList<>();
    Map<String, Origin> methodIds = new LinkedHashMap<>();
    List<Service<?>> hostMethods = hostServices(host, MethodProvider.class);
    for (Service<?> s : hostMethods) {
      String id = ((MethodProvider) s.instance()).id();
      if (methodIds.putIfAbsent(id, s.origin()) != null) {
        throw new OvssException("two built-in plugins claim method id '" + id + "'");
      }
    }
    for (Candidate c : candidates(paths, problems)) {
      if (c.libraries() == null) {
        problems.add("plugin path " + c.jar() + ": no such file or folder");
        continue;
      }
      Plugin p;
      try {
        p = Plugin.open(c, host);
      } catch (PluginException e) {
        problems.add("plugin " + c.jar() + ": " + e.getMessage());
        continue;
      }
      String clash = null;
      List<String> ids = new ArrayList<>();
      for (Object o : p.instances(MethodProvider.class.getName())) {
        String id;
        try {
          id = ((MethodProvider) o).id();
        } catch (RuntimeException | LinkageError e) {
          clash = "class " + o.getClass().getName() + " failed: " + e;
          break;
        }
        Origin before = methodIds.get(id);
        if (before != null || ids.contains(id)) {
          clash = "method id '" + id + "' is already provided by " + (before != null ? before : "this plugin")
              + "; plugin left out";
          break;
        }
        ids.add(id);
      }
      if (clash != null) {
        problems.add("plugin " + c.jar() + ": " + clash);
        p.close();
        continue;
      }
      ids.forEach(id -> methodIds.put(id, p.origin));
      plugins.add(p);
    }
    Map<String, Map<String, List<Data>>> data = new LinkedHashMap<>();
    for (String kind : KINDS) {
      Map<String, List<Data>> byName = new TreeMap<>();
      for (Data d : hostData(host, kind)) {
        byName.computeIfAbsent(d.name(), n -> new ArrayList<>()).add(d);
      }
      for (Plugin p : plugins) {
        for (Data d : p.data(kind)) {
          byName.computeIfAbsent(d.name(), n -> new ArrayList<>()).add(d);
        }
      }
      byName.forEach((name, sources) -> {
        if (sources.size() > 1) {
          problems.add(duplicate(kind, name, sources));
        }
      });
      data.put(kind, byName);
    }
    PluginRegistry registry = new PluginRegistry(host, List.copyOf(plugins), List.copyOf(problems), data);
    registry.hostServices.put(MethodProvider.class, hostMethods);
    return registry;
  }

  /** The plugins that loaded (built-ins not included). */
  public List<Origin> plugins() {
    return plugins.stream().map(p -> p.origin).toList();
  }

  /** One line per plugin left out or data file defined twice, each naming the jar and the problem. */
  public List<String> problems() {
    return problems;
  }

  /** Every instance of {@code type}: the built-ins first, then the plugins in the order they were given. */
  public <T> List<Service<T>> services(Class<T> type) {
    List<Service<T>> all = new ArrayList<>();
    for (Service<?> s : hostServices.computeIfAbsent(type, t -> hostServices(host, t))) {
      all.add(new Service<>(type.cast(s.instance()), s.origin()));
    }
    for (Plugin p : plugins) {
      for (Object o : p.instances(type.getName())) {
        if (type.isInstance(o)) {
          all.add(new Service<>(type.cast(o), p.origin));
        }
      }
    }
    return all;
  }

  /** The instances of {@link #services(Class)} without their origin. */
  public <T> List<T> all(Class<T> type) {
    return services(type).stream().map(Service::instance).toList();
  }

  /** Names of the data files of that kind, sorted. */
  public List<String> names(String kind) {
    return List.copyOf(kindData(kind).keySet());
  }

  /**
   * The data file {@code kind/name}, or empty when there is none.
   *
   * @throws InvalidInputException naming both sources when two define it
   */
  public Optional<Data> data(String kind, String name) {
    List<Data> sources = kindData(kind).get(name);
    if (sources == null) {
      return Optional.empty();
    }
    if (sources.size() > 1) {
      throw new InvalidInputException(duplicate(kind, name, sources));
    }
    return Optional.of(sources.get(0));
  }

  private Map<String, List<Data>> kindData(String kind) {
    Map<String, List<Data>> byName = data.get(kind);
    if (byName == null) {
      throw new IllegalArgumentException("unknown data kind '" + kind + "'; kinds: " + KINDS);
    }
    return byName;
  }

  private static String duplicate(String kind, String name, List<Data> sources) {
    return kind.substring(0, kind.length() - 1) + " '" + name + "' is defined twice, refused: "
        + sources.get(0).where() + " and " + sources.get(1).where();
  }

  private static List<Service<?>> hostServices(ClassLoader host, Class<?> type) {
    List<Service<?>> found = new ArrayList<>();
    try {
      for (Object o : ServiceLoader.load(type, host)) {
        found.add(new Service<>(o, new Origin(null, versionOf(o.getClass()))));
      }
    } catch (ServiceConfigurationError e) {
      throw new OvssException("a built-in plugin failed to load: " + e.getMessage(), e);
    }
    return List.copyOf(found);
  }

  private static List<Data> hostData(ClassLoader host, String kind) {
    List<Data> found = new ArrayList<>();
    String dir = DATA_DIR + kind + "/";
    Origin builtIn = new Origin(null, "");
    try {
      for (URL url : Collections.list(host.getResources(dir.substring(0, dir.length() - 1)))) {
        List<String> files = new ArrayList<>();
        if ("file".equals(url.getProtocol())) {
          try (Stream<Path> listing = Files.list(Path.of(url.toURI()))) {
            listing.filter(Files::isRegularFile).forEach(f -> files.add(f.getFileName().toString()));
          }
        } else if (url.openConnection() instanceof JarURLConnection jar) {
          jar.setUseCaches(false);
          try (JarFile file = jar.getJarFile()) {
            for (JarEntry e : Collections.list(file.entries())) {
              String n = e.getName();
              if (n.startsWith(dir) && !e.isDirectory() && n.indexOf('/', dir.length()) < 0) {
                files.add(n.substring(dir.length()));
              }
            }
          }
        }
        for (String f : files.stream().sorted().toList()) {
          String name = dataName(f);
          if (name != null) {
            found.add(new Data(kind, name, new URL(url.toString().replaceAll("/?$", "/") + f), builtIn));
          }
        }
      }
    } catch (IOException | URISyntaxException e) {
      throw new UncheckedIOException("cannot list the built-in " + kind, e instanceof IOException io ? io : new IOException(e));
    }
    return found;
  }

  /** The name of a data file (without its .json or .txt), or null for other files. */
  static String dataName(String file) {
    int dot = file.lastIndexOf('.');
    if (dot <= 0) {
      return null;
    }
    String ext = file.substring(dot + 1);
    return ext.equals("json") || ext.equals("txt") ? file.substring(0, dot) : null;
  }

  /** The version in a class's jar (manifest, then Maven's pom.properties), or "development" for a class folder. */
  static String versionOf(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return "development";
    }
    try {
      Path where = Path.of(source.getLocation().toURI());
      if (!Files.isRegularFile(where)) {
        return "development";
      }
      try (JarFile jar = new JarFile(where.toFile())) {
        return version(jar);
      }
    } catch (URISyntaxException | IOException | IllegalArgumentException e) {
      return "unknown";
    }
  }

  static String version(JarFile jar) throws IOException {
    if (jar.getManifest() != null) {
      String v = jar.getManifest().getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
      if (v != null) {
        return v;
      }
    }
    for (JarEntry e : Collections.list(jar.entries())) {
      if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
        Properties p = new Properties();
        try (InputStream in = jar.getInputStream(e)) {
          p.load(in);
        }
        if (p.getProperty("version") != null) {
          return p.getProperty("version");
        }
      }
    }
    return "unknown";
  }

  /** A plugin jar and the private library jars that go with it ({@code libraries == null}: the path is missing). */
  record Candidate(Path jar, List<Path> libraries) {}

  private static List<Candidate> candidates(List<Path> paths, List<String> problems) {
    List<Candidate> found = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isRegularFile(path)) {
        found.add(new Candidate(path, List.of()));
      } else if (Files.isDirectory(path)) {
        folder(path, found, problems, true);
      } else {
        found.add(new Candidate(path, null));
      }
    }
    return found;
  }

  private static void folder(Path dir, List<Candidate> found, List<String> problems, boolean descend) {
    List<Path> jars = new ArrayList<>();
    List<Path> folders = new ArrayList<>();
    try (Stream<Path> listing = Files.list(dir)) {
      listing.sorted().forEach(p -> (Files.isDirectory(p) ? folders : jars).add(p));
    } catch (IOException e) {
      problems.add("plugin path " + dir + ": cannot list: " + e.getMessage());
      return;
    }
    jars.removeIf(p -> !p.getFileName().toString().endsWith(".jar"));
    List<Path> pluginJars = new ArrayList<>();
    List<Path> libraries = new ArrayList<>();
    for (Path jar : jars) {
      (isPlugin(jar) ? pluginJars : libraries).add(jar);
    }
    Path lib = dir.resolve("lib");
    if (!pluginJars.isEmpty() && Files.isDirectory(lib)) {
      try (Stream<Path> listing = Files.list(lib)) {
        listing.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(libraries::add);
      } catch (IOException e) {
        problems.add("plugin path " + lib + ": cannot list: " + e.getMessage());
      }
      folders.remove(lib);
    }
    for (Path jar : pluginJars) {
      found.add(new Candidate(jar, List.copyOf(libraries)));
    }
    if (descend) {
      for (Path sub : folders) {
        folder(sub, found, problems, false);
      }
    }
  }

  /** A jar registering an org.ovss service or carrying data; a jar that cannot be opened counts (to be reported). */
  private static boolean isPlugin(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().anyMatch(e -> e.getName().startsWith(SERVICES_DIR + "org.ovss.") || e.getName().startsWith(DATA_DIR));
    } catch (IOException e) {
      return true;
    }
  }

  /** A plugin that loaded: its class loader, its service instances by service name, its data. */
  private static final class Plugin {
    final Origin origin;
    final PluginClassLoader loader;
    final Map<String, List<Object>> services = new LinkedHashMap<>();
    final Map<String, List<Data>> data = new LinkedHashMap<>();

    private Plugin(Origin origin, PluginClassLoader loader) {
      this.origin = origin;
      this.loader = loader;
    }

    List<Object> instances(String serviceName) {
      return services.getOrDefault(serviceName, List.of());
    }

    List<Data> data(String kind) {
      return data.getOrDefault(kind, List.of());
    }

    void close() {
      try {
        loader.close();
      } catch (IOException ignored) {
        // nothing holds it
      }
    }

    static Plugin open(Candidate c, ClassLoader host) throws PluginException {
      List<String> serviceFiles = new ArrayList<>();
      List<String> dataFiles = new ArrayList<>();
      String version;
      try (JarFile jar = new JarFile(c.jar().toFile())) {
        for (JarEntry e : Collections.list(jar.entries())) {
          String n = e.getName();
          if (e.isDirectory()) {
            continue;
          }
          if (n.startsWith(SERVICES_DIR + "org.ovss.") && n.indexOf('/', SERVICES_DIR.length()) < 0) {
            serviceFiles.add(n);
          } else if (n.startsWith(DATA_DIR)) {
            dataFiles.add(n);
          }
        }
        version = version(jar);
      } catch (IOException e) {
        throw new PluginException("not a readable jar (" + e.getMessage() + ")");
      }
      for (Path library : c.libraries()) {
        try (JarFile ignored = new JarFile(library.toFile())) {
          // readable
        } catch (IOException e) {
          throw new PluginException("its library " + library + " is not a readable jar (" + e.getMessage() + ")");
        }
      }
      List<URL> urls = new ArrayList<>();
      try {
        urls.add(c.jar().toUri().toURL());
        for (Path library : c.libraries()) {
          urls.add(library.toUri().toURL());
        }
      } catch (MalformedURLException e) {
        throw new PluginException(e.getMessage());
      }
      String name = c.jar().getFileName().toString();
      Plugin p = new Plugin(new Origin(c.jar(), version), new PluginClassLoader("plugin " + name, urls.toArray(URL[]::new), host));
      try {
        for (String file : serviceFiles) {
          p.services.put(file.substring(SERVICES_DIR.length()), p.instantiate(file));
        }
        for (String file : dataFiles) {
          String rest = file.substring(DATA_DIR.length());
          int slash = rest.indexOf('/');
          String kind = slash < 0 ? null : rest.substring(0, slash);
          String dataName = slash < 0 || rest.indexOf('/', slash + 1) >= 0 ? null : dataName(rest.substring(slash + 1));
          if (kind == null || !KINDS.contains(kind) || dataName == null) {
            throw new PluginException(file + " is not a data file: expected " + DATA_DIR + "KIND/NAME.json (or .txt), KIND one of " + KINDS);
          }
          p.data.computeIfAbsent(kind, k -> new ArrayList<>()).add(new Data(kind, dataName, p.loader.findResource(file), p.origin));
        }
      } catch (PluginException | RuntimeException | LinkageError e) {
        p.close();
        if (e instanceof PluginException pe) {
          throw pe;
        }
        throw new PluginException(e.toString());
      }
      return p;
    }

    /** The instances a services file names, each line checked: the class exists, has the type, can be made. */
    private List<Object> instantiate(String file) throws PluginException {
      String serviceName = file.substring(SERVICES_DIR.length());
      Class<?> type;
      try {
        type = Class.forName(serviceName, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new PluginException(file + ": no such service type in this harness");
      }
      List<String> lines;
      try (InputStream in = loader.findResource(file).openStream()) {
        lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      } catch (IOException e) {
        throw new PluginException(file + ": cannot read (" + e.getMessage() + ")");
      }
      List<Object> made = new ArrayList<>();
      Map<Class<?>, Boolean> seen = new IdentityHashMap<>();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        int hash = line.indexOf('#');
        String className = (hash >= 0 ? line.substring(0, hash) : line).strip();
        if (className.isEmpty()) {
          continue;
        }
        String where = file + " line " + (i + 1) + ": ";
        if (!className.matches("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*")) {
          throw new PluginException(where + "'" + className + "' is not a class name");
        }
        try {
          Class<?> c = Class.forName(className, false, loader);
          if (!type.isAssignableFrom(c)) {
            throw new PluginException(where + "class " + className + " is not a " + type.getName());
          }
          if (seen.put(c, Boolean.TRUE) == null) {
            made.add(c.getConstructor().newInstance());
          }
        } catch (ClassNotFoundException e) {
          throw new PluginException(where + "class " + className + " not found");
        } catch (NoSuchMethodException e) {
          throw new PluginException(where + "class " + className + " has no public no-argument constructor");
        } catch (InvocationTargetException e) {
          throw new PluginException(where + "class " + className + " failed to start: " + e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
          throw new PluginException(where + "class " + className + " cannot be loaded: " + e);
        }
      }
      return made;
    }
  }

  /** Why one plugin was left out. */
  private static final class PluginException extends Exception {
    private static final long serialVersionUID = 1L;

    PluginException(String message) {
      super(message);
    }
  }
}
