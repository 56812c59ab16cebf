package io.sluice.cli.db;

import io.sluice.cli.BadArgument;
import io.sluice.cli.SluiceHome;
import io.sluice.cli.UserError;
import io.sluice.ingest.DefaultEndpoints;
import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.schema.MigrationException;
import io.sluice.store.schema.Migrator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Apply pending sql/NNN_*.sql migrations in order, with newer ClickHouse features (TTL, codecs,",
        "LowCardinality, IPv6) only where the server accepts them. Safe to run again.",
        "With --cluster: Replicated tables t_local on every node under Distributed tables t, created ON CLUSTER."})
public final class MigrateCommand implements Callable<Integer> {
  public static final String DEFAULT_DATABASE = "sluice";

  @Spec CommandSpec spec;

  @Option(names = "--clickhouse", paramLabel = "URL", defaultValue = DefaultEndpoints.CLICKHOUSE, description = "ClickHouse HTTP URL. Default: ${DEFAULT-VALUE}.")
  String clickhouse;

  @Option(names = "--database", defaultValue = DEFAULT_DATABASE, description = "Default: ${DEFAULT-VALUE}.")
  String database;

  @Option(names = "--sql-dir", paramLabel = "DIR", description = "Migrations folder (default: sql/ in the checkout).")
  Path sqlDir;

  @Option(names = "--cluster", paramLabel = "NAME", description = {"The server's remote_servers cluster to lay the schema",
      "out on: sharded and replicated ({shard}/{replica} macros and ZooKeeper or Keeper needed). Default: one server."})
  String cluster;

  @Override
  public Integer call() {
    BadArgument.httpUrl("--clickhouse", clickhouse);
    BadArgument.database("--database", database);
    migrate(clickhouse, database, sqlDir != null ? sqlDir : SluiceHome.find().resolve("sql"), cluster, spec.commandLine().getOut());
    return 0;
  }

  public static Migrator.Result migrate(String url, String database, Path sqlDir, PrintWriter out) {
    return migrate(url, database, sqlDir, null, out);
  }

  /** @param cluster null for one server */
  public static Migrator.Result migrate(String url, String database, Path sqlDir, String cluster, PrintWriter out) {
    try {
      return new Migrator(new ClickHouseHttp(url, null), database, sqlDir, cluster, line -> {
        out.println(line);
        out.flush();
      }).migrate();
    } catch (MigrationException | ClickHouseException e) {
      throw new UserError("migration stopped: " + e.getMessage(), e);
    }
  }
}
