package io.sluice.l7;

import java.util.ArrayList;
import java.util.List;

final class CollectingSink implements L7Sink {
  final List<DnsRow> dns = new ArrayList<>();
  final List<HttpRow> http = new ArrayList<>();

  @Override
  public void dns(DnsRow row) {
    dns.add(row);
  }

  @Override
  public void http(HttpRow row) {
    http.add(row);
  }
}
