package io.sluice.store.chdb;

import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;


/**
 * ClickHouse 26.7 in this JVM: chDB's libchdb.so loaded through jnr-ffi, with one session (chDB allows one storage
 * path per process) in {@code target/chdb-PID} of the module under test. The library is 566 MB, so it is loaded
 * once per test JVM, on first use, and the session lives until the JVM exits. Left open with MergeTree tables,
 * chDB 26.7.3 crashed the JVM on its way out (SIGSEGV in a libchdb.so thread, after the tests had passed), so a
 * shutdown hook drops the session's databases and closes the connection first.
 *
 * <p>Statements run one at a time (the C API runs one statement per connection at once).
 */
public final class Chdb {
  /** The npm package version scripts/prereqs.sh fetches; its ClickHouse is 26.7. */
  public static final String VERSION = "26.7.3-stable.1";
  private static final Pattern ERROR_CODE = Pattern.compile("Code: (\\d+)");
  private static final byte[] NO_DATA = new byte[0];
  private static Chdb instance;

  private final LibChdb lib;
  private final Pointer connection;
  private final Path dir;
  private final List<Integer> restoredSignals;
  private String currentDatabase = "default";

  private Chdb(LibChdb lib, Pointer connection, Path dir, List<Integer> restoredSignals) {
    this.lib = lib;
    this.connection = connection;
    this.dir = dir;
    this.restoredSignals = restoredSignals;
  }

  /** Where the library is looked for: -Dsluice.chdb.lib, else $SLUICE_CHDB_LIB, else the cache prereqs.sh fills. */
  public static Path libraryPath() {
    String configured = System.getProperty("sluice.chdb.lib", System.getenv("SLUICE_CHDB_LIB"));
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "sluice", "chdb", VERSION, "libchdb.so");
  }

  /** The session of this JVM; loads the library and connects on first use. A missing library is an error. */
  public static synchronized Chdb session() {
    if (instance == null) {
      Path library = libraryPath();
      if (!Files.isRegularFile(library)) {
        throw new IllegalStateException("chDB " + VERSION + " (ClickHouse 26.7 in-process) is not at " + library
            + ". Fetch it with: bash " + TestStack.repoRoot().resolve("scripts/prereqs.sh") + " chdb"
            + "   (./sluice test runs that first)");
      }
      instance = open(library);
    }
    return instance;
  }

  /** A connection to the session with no default database (ClickHouse's {@code default}). */
  public static ChdbClickHouse clickHouse() {
    return new ChdbClickHouse(session(), null);
  }

  private static Chdb open(Path library) {
    Path dir;
    try {
      dir = Files.createDirectories(Path.of("target").toAbsolutePath().resolve("chdb-" + ProcessHandle.current().pid()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SignalHandlers jvm = SignalHandlers.save();
    LibChdb lib = LibraryLoader.create(LibChdb.class).failImmediately().load(library.toString());
    lib.chdb_set_signal_handlers_enabled(0);
    Pointer connection = lib.chdb_connect(4, new String[] {"chdb", "--path=" + dir,
        // ClickHouse's query profiler signals threads on a timer; nothing here reads its samples.
        "--query_profiler_real_time_period_ns=0", "--query_profiler_cpu_time_period_ns=0"});
    // Disabling chDB's handlers resets the fatal signals to their defaults, the JVM's included, and connecting
    // may do it again: HotSpot needs its SIGSEGV handler (implicit null checks), so put the JVM's back.
    List<Integer> restored = jvm.restoreChanged();
    if (connection == null || connection.getPointer(0) == null) {
      throw new IllegalStateException("chdb_connect failed for --path=" + dir);
    }
    Chdb session = new Chdb(lib, connection.getPointer(0), dir, restored);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> session.close(connection), "chdb-close"));
    return session;
  }

  private synchronized void close(Pointer connectionHandle) {
    long t0 = System.nanoTime();
    for (String database : execute(null, "SELECT name FROM system.databases WHERE engine = 'Atomic'"
        + " AND name NOT IN ('system', 'information_schema', 'INFORMATION_SCHEMA')").lines().toList()) {
      execute(null, "DROP DATABASE IF EXISTS " + database + " SYNC");
    }
    long t1 = System.nanoTime();
    lib.chdb_close_conn(connectionHandle);
    System.err.printf("chdb: dropped databases in %d ms, closed in %d ms%n", (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
  }

  /** The ClickHouse version, e.g. 26.7.3.1. */
  public String clickHouseVersion() {
    return execute(null, "SELECT version()").strip();
  }

  public Path directory() {
    return dir;
  }

  /** Signals whose JVM handler chDB had replaced and this session put back. */
  public List<Integer> restoredSignals() {
    return restoredSignals;
  }

  /** Runs one statement with {@code database} as the default (null: {@code default}); returns its TabSeparated output. */
  public synchronized String execute(String database, String sql) {
    use(database);
    return new String(run(sql.getBytes(StandardCharsets.UTF_8), "TabSeparated"), StandardCharsets.UTF_8);
  }

  /** Streams RowBinary rows into {@code insert} (an INSERT without FORMAT), as a server's HTTP body would. */
  public synchronized void insertRowBinary(String database, String insert, byte[] rows, int length) {
    use(database);
    byte[] query = insert.getBytes(StandardCharsets.UTF_8);
    byte[] format = "RowBinary".getBytes(StandardCharsets.US_ASCII);
    Pointer stream = lib.chdb_stream_insert_n(connection, query, query.length, format, format.length);
    try {
      String error = lib.chdb_stream_insert_error(stream);
      if (error != null) {
        throw failure(error, insert);
      }
      byte[] data = length == rows.length ? rows : java.util.Arrays.copyOf(rows, length);
      if (lib.chdb_stream_append(stream, data, length) != 0) {
        throw failure(Objects.requireNonNullElse(lib.chdb_stream_insert_error(stream), "append failed"), insert);
      }
      Pointer result = lib.chdb_stream_done(stream);
      try {
        error = result == null ? lib.chdb_stream_insert_error(stream) : lib.chdb_result_error(result);
        if (error != null) {
          throw failure(error, insert);
        }
      } finally {
        if (result != null) {
          lib.chdb_destroy_query_result(result);
        }
      }
    } finally {
      lib.chdb_destroy_insert_stream(stream);
    }
  }

  /** Runs a query and returns its output, with the rows it read from storage (for measurements). */
  public synchronized Measured measure(String database, String sql) {
    use(database);
    byte[] query = sql.getBytes(StandardCharsets.UTF_8);
    byte[] format = "TabSeparated".getBytes(StandardCharsets.US_ASCII);
    Pointer result = lib.chdb_query_n(connection, query, query.length, format, format.length);
    try {
      String error = lib.chdb_result_error(result);
      if (error != null) {
        throw failure(error, sql);
      }
      return new Measured(new String(bytes(result), StandardCharsets.UTF_8), lib.chdb_result_rows_read(result),
          lib.chdb_result_elapsed(result));
    } finally {
      lib.chdb_destroy_query_result(result);
    }
  }

  public record Measured(String output, long rowsRead, double seconds) {}

  private void use(String database) {
    String wanted = database == null ? "default" : database;
    if (!wanted.equals(currentDatabase)) {
      run(("USE " + wanted).getBytes(StandardCharsets.UTF_8), "TabSeparated");
      currentDatabase = wanted;
    }
  }

  private byte[] run(byte[] query, String outputFormat) {
    byte[] format = outputFormat.getBytes(StandardCharsets.US_ASCII);
    Pointer result = lib.chdb_query_n(connection, query, query.length, format, format.length);
    if (result == null) {
      throw new ClickHouseException(-1, "chdb_query_n returned no result for: " + new String(query, StandardCharsets.UTF_8));
    }
    try {
      String error = lib.chdb_result_error(result);
      if (error != null) {
        throw failure(error, new String(query, StandardCharsets.UTF_8));
      }
      return bytes(result);
    } finally {
      lib.chdb_destroy_query_result(result);
    }
  }

  private byte[] bytes(Pointer result) {
    long length = lib.chdb_result_length(result);
    if (length == 0) {
      return NO_DATA;
    }
    byte[] out = new byte[Math.toIntExact(length)];
    lib.chdb_result_buffer(result).get(0, out, 0, out.length);
    return out;
  }

  private static ClickHouseException failure(String error, String sql) {
    Matcher code = ERROR_CODE.matcher(error);
    // The server's code as an HTTP response carries it: callers branch on it (e.g. 57, table already exists).
    return new ClickHouseException(code.find() ? Integer.parseInt(code.group(1)) : 0, error.strip());
  }

  /** The JVM's dispositions of the catchable signals, to put back what chDB resets. */
  private static final class SignalHandlers {
    private static final int SIZE = 256; // glibc's struct sigaction is 152 bytes on x86_64
    private final LibC libc;
    private final Pointer[] saved = new Pointer[32];

    private SignalHandlers(LibC libc) {
      this.libc = libc;
    }

    static SignalHandlers save() {
      SignalHandlers handlers = new SignalHandlers(LibraryLoader.create(LibC.class).load("c"));
      for (int signal = 1; signal < 32; signal++) {
        handlers.saved[signal] = handlers.read(signal);
      }
      return handlers;
    }

    private Pointer read(int signal) {
      Pointer action = jnr.ffi.Runtime.getSystemRuntime().getMemoryManager().allocateDirect(SIZE, true);
      return libc.sigaction(signal, null, action) == 0 ? action : null;
    }

    /** Puts back every handler that changed; returns the signals it restored. */
    List<Integer> restoreChanged() {
      List<Integer> restored = new ArrayList<>();
      for (int signal = 1; signal < 32; signal++) {
        Pointer now = read(signal);
        if (saved[signal] == null || now == null || now.getLong(0) == saved[signal].getLong(0)) {
          continue; // the first field is the handler
        }
        if (libc.sigaction(signal, saved[signal], null) != 0) {
          throw new IllegalStateException("cannot restore the JVM's handler of signal " + signal);
        }
        restored.add(signal);
      }
      return restored;
    }
  }
}
