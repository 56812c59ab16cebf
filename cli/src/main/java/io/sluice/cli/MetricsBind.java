package io.sluice.cli;

import io.sluice.net.IpAddresses;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** `--metrics-bind`, shared by `sluice collect` and `sluice capture`: an IP literal, never a host name. */
public final class MetricsBind {
  private MetricsBind() {}

  public static void check(CommandSpec spec, String address) {
    try {
      IpAddresses.parse(address);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--metrics-bind must be an IP address such as 127.0.0.1 or the pod IP, got \"" + address + "\"");
    }
  }
}
