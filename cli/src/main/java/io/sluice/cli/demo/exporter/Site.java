package io.sluice.cli.demo.exporter;

import java.util.List;

/**
 * What one demo router looks like: its interfaces (index, name, description, VRF) and its VRFs. Upstream
 * interfaces face transit and peering in the INTERNET VRF; downstream ones face customers in their own VRFs.
 */
public record Site(List<Interface> interfaces, List<Vrf> vrfs) {
  public record Interface(int index, String name, String description, int vrf, boolean upstream) {}

  public record Vrf(int id, String name) {}

  /** The same layout on every demo router, with names that read like a real edge router's. */
  public static Site edgeRouter() {
    return new Site(
        List.of(
            new Interface(1, "Gi0/0/0", "transit: AS174 Cogent", 1, true),
            new Interface(2, "Gi0/0/1", "transit: AS3356 Lumen", 1, true),
            new Interface(3, "Te0/1/0", "peering: DE-CIX route servers", 1, true),
            new Interface(11, "Te0/2/0", "customer: ACME web farm", 10, false),
            new Interface(12, "Te0/2/1", "customer: Globex offices", 20, false),
            new Interface(13, "Gi0/3/0", "customer: Initech branch", 30, false)),
        List.of(new Vrf(1, "INTERNET"), new Vrf(10, "CUST-ACME"), new Vrf(20, "CUST-GLOBEX"), new Vrf(30, "CUST-INITECH")));
  }

  public List<Interface> upstream() {
    return interfaces.stream().filter(Interface::upstream).toList();
  }

  public List<Interface> downstream() {
    return interfaces.stream().filter(i -> !i.upstream()).toList();
  }
}
