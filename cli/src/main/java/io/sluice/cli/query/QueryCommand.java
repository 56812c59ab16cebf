package io.sluice.cli.query;

import io.sluice.cli.BadArgument;
import io.sluice.cli.TablePrinter;
import io.sluice.cli.UserError;
import io.sluice.cli.db.MigrateCommand;
import io.sluice.ingest.DefaultEndpoints;
import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseHttp;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "query", mixinStandardHelpOptions = true, description = "Run one SQL statement on ClickHouse and print an aligned table.")
public final class QueryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "SQL", description = "A SELECT (its result is printed) or any other statement.")
  String sql;

  @Option(names = "--clickhouse", paramLabel = "URL", defaultValue = DefaultEndpoints.CLICKHOUSE, description = "Default: ${DEFAULT-VALUE}.")
  String clickhouse;

  @Option(names = "--database", defaultValue = MigrateCommand.DEFAULT_DATABASE, description = "Default: ${DEFAULT-VALUE}.")
  String database;

  @Override
  public Integer call() {
    BadArgument.httpUrl("--clickhouse", clickhouse);
    BadArgument.database("--database", database);
    ClickHouseHttp client = new ClickHouseHttp(clickhouse, database);
    try {
      if (returnsRows(sql)) {
        ClickHouseHttp.Table table = client.query(sql);
        TablePrinter.print(spec.commandLine().getOut(), table.columns(), table.rows());
        spec.commandLine().getOut().println(table.rows().size() + " row(s)");
      } else {
        spec.commandLine().getOut().print(client.execute(sql));
        spec.commandLine().getOut().println("ok");
      }
      spec.commandLine().getOut().flush();
    } catch (ClickHouseException e) {
      throw new UserError(e.getMessage(), e);
    }
    return 0;
  }

  private static boolean returnsRows(String sql) {
    String head = sql.stripLeading().toUpperCase(java.util.Locale.ROOT);
    if (head.matches("(?s).*\\bFORMAT\\s+\\w+\\s*;?\\s*$")) {
      return false;
    }
    return head.startsWith("SELECT") || head.startsWith("WITH") || head.startsWith("SHOW") || head.startsWith("DESCRIBE")
        || head.startsWith("DESC ") || head.startsWith("EXISTS");
  }
}
