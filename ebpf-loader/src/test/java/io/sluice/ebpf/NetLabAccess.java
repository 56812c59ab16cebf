package io.sluice.ebpf;

/** Lets the benchmarks (another package) use the test lab. */
public final class NetLabAccess {
  private NetLabAccess() {}

  public static AutoCloseable open() throws Exception {
    return new NetLab();
  }

  public static String client(Object lab) {
    return ((NetLab) lab).client;
  }

  public static String server(Object lab) {
    return ((NetLab) lab).server;
  }

  public static String serverIp(Object lab) {
    return ((NetLab) lab).serverIp;
  }

  public static void startServers(Object lab) throws Exception {
    LabServers.start((NetLab) lab);
  }

  public static String exec(Object lab, String command) {
    NetLab l = (NetLab) lab;
    return NetLab.run(java.util.List.of("ip", "netns", "exec", l.client, "sh", "-c", command), 600);
  }

  /** A real broker in the host namespace (started once per JVM) with every topic made under prefix; its bootstrap. */
  public static String kafka(String prefix) throws Exception {
    TestKafka.createTopics(prefix);
    return TestKafka.bootstrap();
  }

  public static long nginxPid(Object lab) {
    NetLab l = (NetLab) lab;
    return Long.parseLong(NetLab.sh("cat " + l.dir.resolve("nginx.pid")).trim());
  }
}
