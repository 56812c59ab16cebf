package io.sluice.store.schema;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the migrations' single-node DDL into a sharded, replicated layout ({@code sluice db migrate --cluster C}),
 * statement by statement, so the files themselves (and their checksums) stay as they are. See sql/README.md.
 *
 * <ul>
 *   <li>{@code CREATE TABLE t (...) ENGINE = XMergeTree(args)} becomes {@code t_local} on every node, engine
 *       {@code ReplicatedXMergeTree('/clickhouse/tables/{shard}/db/t_local', '{replica}', args)}, plus
 *       {@code t ENGINE = Distributed(cluster, db, t_local, rand())} under the public name.
 *   <li>A table of {@link #ON_EVERY_NODE} keeps its name and is one replica set across the whole cluster
 *       (ZooKeeper path without {@code {shard}}): every node holds all of it, so joins with it stay local.
 *   <li>A materialized view reads and writes the local tables; a plain view reads the public names.
 *   <li>{@code ALTER TABLE t ADD COLUMN ...} alters the stored table; a sharded table's Distributed one is made again.
 * </ul>
 * Every statement runs ON CLUSTER with qualified names. Anything else is refused, naming the statement, so a new
 * kind of migration statement needs a rule here before it can run on a cluster.
 */
public final class ClusterDdl {
  /** The name of the table that holds a sharded table's rows on each node: t_local under the Distributed t. */
  public static final String LOCAL_SUFFIX = "_local";
  /** Small tables written rarely and joined everywhere: a full copy on every node. */
  static final Set<String> ON_EVERY_NODE = Set.of("sources", "schema_migrations");

  private static final Pattern CREATE_TABLE = Pattern.compile("(?is)CREATE\\s+TABLE\\s+IF\\s+NOT\\s+EXISTS\\s+(\\w+)\\s*(\\(.*)");
  private static final Pattern CREATE_MV = Pattern.compile(
      "(?is)CREATE\\s+MATERIALIZED\\s+VIEW\\s+IF\\s+NOT\\s+EXISTS\\s+(\\w+)\\s+TO\\s+(\\w+)\\s+AS\\s+(SELECT\\b.*)");
  private static final Pattern CREATE_VIEW = Pattern.compile("(?is)CREATE\\s+VIEW\\s+IF\\s+NOT\\s+EXISTS\\s+(\\w+)\\s+AS\\s+(SELECT\\b.*)");
  private static final Pattern ADD_COLUMN = Pattern.compile("(?is)ALTER\\s+TABLE\\s+(\\w+)\\s+(ADD\\s+COLUMN\\b.*)");
  private static final Pattern ENGINE = Pattern.compile("(?i)ENGINE\\s*=\\s*(\\w*MergeTree)\\s*\\(");
  private static final Pattern TABLE_REFERENCE = Pattern.compile("(?i)\\b(FROM|JOIN)\\s+(\\w+)\\b");
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_\\-]*");

  private final String cluster;
  private final String database;
  private final Set<String> tables;

  /** @param tables every table the migrations create (see {@link #tablesCreatedIn}), to recognise references */
  public ClusterDdl(String cluster, String database, Collection<String> tables) {
    if (!NAME.matcher(cluster).matches()) {
      throw new MigrationException("invalid cluster name '" + cluster + "'");
    }
    this.cluster = cluster;
    this.database = database;
    this.tables = new TreeSet<>(tables);
  }

  public static Set<String> tablesCreatedIn(Collection<String> statements) {
    Set<String> names = new TreeSet<>();
    for (String statement : statements) {
      Matcher m = CREATE_TABLE.matcher(withoutComments(statement));
      if (m.matches()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  public String createDatabase() {
    return "CREATE DATABASE IF NOT EXISTS " + database + " ON CLUSTER " + cluster;
  }

  /** The statements, in order, that stand for one single-node statement on the cluster. */
  public List<String> rewrite(String statement) {
    String sql = withoutComments(statement);
    Matcher table = CREATE_TABLE.matcher(sql);
    if (table.matches()) {
      return createTable(table.group(1), table.group(2));
    }
    Matcher mv = CREATE_MV.matcher(sql);
    if (mv.matches()) {
      String target = mv.group(2);
      return List.of("CREATE MATERIALIZED VIEW IF NOT EXISTS " + database + "." + mv.group(1) + " ON CLUSTER " + cluster
          + " TO " + stored(target) + " AS " + references(mv.group(3), true));
    }
    Matcher view = CREATE_VIEW.matcher(sql);
    if (view.matches()) {
      return List.of("CREATE VIEW IF NOT EXISTS " + database + "." + view.group(1) + " ON CLUSTER " + cluster + " AS "
          + references(view.group(2), false));
    }
    Matcher alter = ADD_COLUMN.matcher(sql);
    if (alter.matches()) {
      return addColumn(alter.group(1), alter.group(2));
    }
    throw new MigrationException("cluster mode has no rule for this statement (see ClusterDdl): "
        + sql.lines().findFirst().orElse(sql));
  }

  private List<String> createTable(String name, String definition) {
    boolean everywhere = ON_EVERY_NODE.contains(name);
    String stored = everywhere ? name : name + LOCAL_SUFFIX;
    String zkPath = "/clickhouse/tables/" + (everywhere ? "all" : "{shard}") + "/" + database + "/" + stored;
    Matcher engine = ENGINE.matcher(definition);
    if (!engine.find()) {
      throw new MigrationException("cluster mode replicates only *MergeTree tables; " + name + " has another engine");
    }
    int close = closingParenthesis(definition, engine.end() - 1);
    String args = definition.substring(engine.end(), close).strip();
    String replicated = "ENGINE = Replicated" + engine.group(1) + "('" + zkPath + "', '{replica}'"
        + (args.isEmpty() ? "" : ", " + args) + ")";
    List<String> out = new ArrayList<>();
    out.add("CREATE TABLE IF NOT EXISTS " + database + "." + stored + " ON CLUSTER " + cluster + " "
        + definition.substring(0, engine.start()) + replicated + definition.substring(close + 1));
    if (!everywhere) {
      out.add(distributed(name));
    }
    return out;
  }

  /** The column goes to the stored table and, for a sharded one, to the Distributed table over it too. */
  private List<String> addColumn(String name, String addColumn) {
    if (!tables.contains(name)) {
      throw new MigrationException("cluster mode: ALTER TABLE " + name + " names a table no migration creates");
    }
    if (ON_EVERY_NODE.contains(name)) {
      return List.of("ALTER TABLE " + stored(name) + " ON CLUSTER " + cluster + " " + addColumn);
    }
    // 18.16 refuses ALTER ... ON CLUSTER on a Distributed table when the shards have replicas; it holds no rows
    // (the sink writes the local tables), so it is made again over the altered local table instead.
    return List.of("DROP TABLE IF EXISTS " + database + "." + name + " ON CLUSTER " + cluster,
        "ALTER TABLE " + stored(name) + " ON CLUSTER " + cluster + " " + addColumn,
        distributed(name));
  }

  private String distributed(String name) {
    String stored = name + LOCAL_SUFFIX;
    return "CREATE TABLE IF NOT EXISTS " + database + "." + name + " ON CLUSTER " + cluster + " AS " + database + "."
        + stored + " ENGINE = Distributed(" + cluster + ", " + database + ", " + stored + ", rand())";
  }

  /** Where a table's rows are stored on each node: the local table, or the table itself for ON_EVERY_NODE. */
  private String stored(String table) {
    return database + "." + (ON_EVERY_NODE.contains(table) || !tables.contains(table) ? table : table + LOCAL_SUFFIX);
  }

  private String references(String select, boolean local) {
    Matcher m = TABLE_REFERENCE.matcher(select);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(2);
      String replacement = !tables.contains(name) ? m.group()
          : m.group(1) + " " + (local ? stored(name) : database + "." + name);
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static int closingParenthesis(String text, int open) {
    int depth = 0;
    boolean quoted = false;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'' && (i == 0 || text.charAt(i - 1) != '\\')) {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')' && --depth == 0) {
        return i;
      }
    }
    throw new MigrationException("unbalanced parentheses in: " + text);
  }

  /** Drops -- comments (outside quotes), so comment text is never taken for SQL. */
  static String withoutComments(String statement) {
    StringBuilder out = new StringBuilder();
    for (String line : statement.split("\n", -1)) {
      int cut = -1;
      boolean quoted = false;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c == '\'' && (i == 0 || line.charAt(i - 1) != '\\')) {
          quoted = !quoted;
        } else if (!quoted && c == '-' && i + 1 < line.length() && line.charAt(i + 1) == '-') {
          cut = i;
          break;
        }
      }
      String kept = (cut < 0 ? line : line.substring(0, cut)).stripTrailing();
      if (!kept.isBlank()) {
        out.append(kept).append('\n');
      }
    }
    return out.toString().strip();
  }
}
