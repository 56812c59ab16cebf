package io.sluice.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Debian's clickhouse-server, run with its own config, data directory and ports under the work directory,
 * so it never touches a system-wide installation.
 */
public final class ClickHouseService implements Service {
  static final String INSTALL_COMMAND = "apt-get update && apt-get install -y clickhouse-server";

  private final StackSettings settings;
  private final Path dir;
  private final ManagedProcess process;
  private final String extraConfig;

  public ClickHouseService(StackSettings settings) {
    this(settings, "");
  }

  /**
   * @param extraConfig elements to add inside the server config's root (remote_servers, macros, zookeeper,
   *     interserver ports, ...), written to {@code config.d/sluice-extra.xml}, which the server merges into its
   *     config; empty for none
   */
  public ClickHouseService(StackSettings settings, String extraConfig) {
    this.settings = settings;
    this.dir = settings.workDir().toAbsolutePath().resolve("clickhouse");
    this.process = new ManagedProcess("clickhouse", settings.workDir().toAbsolutePath(), dir.resolve("log/stdout.log"));
    this.extraConfig = extraConfig;
  }

  @Override
  public String name() {
    return "clickhouse";
  }

  @Override
  public void start() {
    if (process.isRunning()) {
      return;
    }
    Path binary = ensureInstalled();
    Ports.requireFree(settings.clickhouseHttpPort(), "ClickHouse", "--clickhouse-http-port");
    Ports.requireFree(settings.clickhouseTcpPort(), "ClickHouse", "--clickhouse-tcp-port");
    try {
      for (String sub : List.of("data", "data/tmp", "data/user_files", "data/format_schemas", "log")) {
        Files.createDirectories(dir.resolve(sub));
      }
      Files.writeString(dir.resolve("config.xml"), config());
      Files.writeString(dir.resolve("users.xml"), USERS);
      Path extra = dir.resolve("config.d/sluice-extra.xml");
      Files.deleteIfExists(extra);
      if (!extraConfig.isBlank()) {
        Files.createDirectories(extra.getParent());
        Files.writeString(extra, "<?xml version=\"1.0\"?>\n<yandex>\n" + extraConfig.strip() + "\n</yandex>\n");
      }
    } catch (IOException e) {
      throw new StackException("cannot write the ClickHouse config under " + dir + ": " + e.getMessage(), e);
    }
    process.start(List.of(binary.toString(), "--config-file=" + dir.resolve("config.xml")), dir);
  }

  @Override
  public Health health() {
    if (!process.isRunning()) {
      return Health.down("not running");
    }
    Optional<String> version = Http.post(endpoint() + "/", "SELECT version()");
    return version.map(v -> Health.up("version " + v.trim())).orElseGet(() -> Health.down("no answer on " + endpoint()));
  }

  @Override
  public String endpoint() {
    return settings.clickhouseUrl();
  }

  @Override
  public Path logFile() {
    return dir.resolve("log/server.log");
  }

  @Override
  public List<ManagedProcess> processes() {
    return List.of(process);
  }

  /** Finds clickhouse-server; installs it with apt when running as root, else says the command to run. */
  static Path ensureInstalled() {
    Optional<Path> found = find();
    if (found.isPresent()) {
      return found.get();
    }
    if (!isRoot()) {
      throw new StackException("clickhouse-server is not installed. Install it with: sudo sh -c '" + INSTALL_COMMAND + "'");
    }
    System.err.println("clickhouse-server is not installed; installing it: " + INSTALL_COMMAND);
    try {
      Process apt = new ProcessBuilder("sh", "-c", INSTALL_COMMAND).inheritIO().start();
      apt.getOutputStream().close();
      if (apt.waitFor() != 0) {
        throw new StackException("installing clickhouse-server failed; run it by hand: " + INSTALL_COMMAND);
      }
    } catch (IOException e) {
      throw new StackException("cannot run apt-get: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("interrupted while installing clickhouse-server");
    }
    return find().orElseThrow(() -> new StackException("clickhouse-server is still missing after " + INSTALL_COMMAND));
  }

  private static Optional<Path> find() {
    for (String candidate : List.of("/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server", "/usr/bin/clickhouse")) {
      Path path = Path.of(candidate);
      if (Files.isExecutable(path)) {
        return Optional.of(path);
      }
    }
    return Optional.empty();
  }

  private static boolean isRoot() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(line -> line.startsWith("Uid:"))
          .anyMatch(line -> line.split("\\s+")[1].equals("0"));
    } catch (IOException e) {
      return false;
    }
  }

  private String config() {
    // <yandex> is the root element 18.16 knows; current releases still accept it.
    return """
        <?xml version="1.0"?>
        <yandex>
          <logger>
            <level>information</level>
            <log>%1$s/log/server.log</log>
            <errorlog>%1$s/log/error.log</errorlog>
            <size>100M</size>
            <count>3</count>
          </logger>
          <http_port>%2$d</http_port>
          <tcp_port>%3$d</tcp_port>
          <listen_host>127.0.0.1</listen_host>
          <path>%1$s/data/</path>
          <tmp_path>%1$s/data/tmp/</tmp_path>
          <user_files_path>%1$s/data/user_files/</user_files_path>
          <format_schema_path>%1$s/data/format_schemas/</format_schema_path>
          <users_config>%1$s/users.xml</users_config>
          <default_profile>default</default_profile>
          <default_database>default</default_database>
          <mark_cache_size>268435456</mark_cache_size>
          <uncompressed_cache_size>268435456</uncompressed_cache_size>
          <max_concurrent_queries>100</max_concurrent_queries>
        </yandex>
        """.formatted(dir, settings.clickhouseHttpPort(), settings.clickhouseTcpPort());
  }

  private static final String USERS = """
      <?xml version="1.0"?>
      <yandex>
        <profiles>
          <default>
            <max_memory_usage>4000000000</max_memory_usage>
          </default>
        </profiles>
        <users>
          <default>
            <password></password>
            <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
          </default>
        </users>
        <quotas>
          <default>
            <interval>
              <duration>3600</duration>
              <queries>0</queries><errors>0</errors><result_rows>0</result_rows>
              <read_rows>0</read_rows><execution_time>0</execution_time>
            </interval>
          </default>
        </quotas>
      </yandex>
      """;
}
