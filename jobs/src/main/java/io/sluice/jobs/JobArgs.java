package io.sluice.jobs;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Job arguments as key=value pairs; an unknown key or a bare word is an error that lists the known keys. */
public final class JobArgs {
  private JobArgs() {}

  public static Map<String, String> parse(String[] args, Set<String> known) {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      String key = eq < 1 ? arg : arg.substring(0, eq);
      if (eq < 1 || !known.contains(key)) {
        throw new IllegalArgumentException("unknown argument '" + arg + "': use key=value with key one of "
            + new java.util.TreeSet<>(known));
      }
      options.put(key, arg.substring(eq + 1));
    }
    return options;
  }

  /** The union of key sets: a job's own keys and shared ones such as {@link ClickHouseArgs#KEYS}. */
  @SafeVarargs
  public static Set<String> keys(Set<String>... sets) {
    Set<String> all = new java.util.HashSet<>();
    for (Set<String> set : sets) {
      all.addAll(set);
    }
    return Set.copyOf(all);
  }
}
