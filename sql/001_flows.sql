-- Raw, unaggregated flow records: one row per decoded flow record (NetFlow/IPFIX) or flow sample (sFlow).
-- Placeholders {{...}} are version-gated by `sluice db migrate` (see sql/README.md).
--
-- PARTITION BY day: every query has a time range, so whole days are skipped, and TTL drops whole parts.
-- ORDER BY starts with the hour, then exporter and interfaces: a time range prunes granules first, and
-- within each hour one exporter's interfaces sit together, which is the filter Grafana panels apply.
-- `time` last keeps rows of an hour in time order for the per-second views.
CREATE TABLE IF NOT EXISTS flows
(
    time                 DateTime,                       -- the second the flow is counted in (UTC)
    flow_start_ms        UInt64,                         -- exporter's flow start, ms since epoch (0: not given)
    flow_end_ms          UInt64,
    received_ns          UInt64,                         -- collector receive time
    flow_type            {{lowcard:String}},             -- sflow5, netflow5, netflow9, ipfix
    exporter_addr        {{ipv6}},
    exporter_name        {{lowcard:String}},
    site                 {{lowcard:String}},
    observation_domain   UInt32,                         -- NetFlow v9 source id, IPFIX domain, sFlow sub-agent
    sequence             UInt32,
    in_if                UInt32,
    out_if               UInt32,
    in_if_name           {{lowcard:String}},
    out_if_name          {{lowcard:String}},
    out_if_kind          {{lowcard:String}},             -- ifindex, discarded, multiple, local (sFlow output formats)
    direction            UInt8,                          -- IE 61: 0 ingress, 1 egress; 255 unknown
    src_addr             {{ipv6}},
    dst_addr             {{ipv6}},
    src_port             UInt16,
    dst_port             UInt16,
    protocol             UInt8,
    tcp_flags            UInt8,
    tos                  UInt8,
    icmp_type            UInt8,
    icmp_code            UInt8,
    src_as               UInt32,
    dst_as               UInt32,
    as_path              Array(UInt32),                  -- sFlow extended gateway: the destination AS path
    communities          Array(UInt32),
    src_mask             UInt8,
    dst_mask             UInt8,
    next_hop             {{ipv6}},
    bgp_next_hop         {{ipv6}},
    src_vlan             UInt16,
    dst_vlan             UInt16,
    src_mac              UInt64,
    dst_mac              UInt64,
    mpls_top_label       UInt32,
    mpls_labels          Array(UInt32),
    forwarding_status    UInt8,
    flow_end_reason      UInt8,
    post_nat_src_addr    {{ipv6}},
    post_nat_dst_addr    {{ipv6}},
    post_nat_src_port    UInt16,
    post_nat_dst_port    UInt16,
    sampler_id           UInt64,
    -- Exact counts as the exporter reported them (for sFlow: one sampled packet and its length).
    sampled_bytes        UInt64 {{codec:T64, ZSTD}},
    sampled_packets      UInt64 {{codec:T64, ZSTD}},
    -- The rate applied and where it came from: packet, options, configured, override, unknown.
    sampling_rate        UInt32,
    sampling_rate_source {{lowcard:String}},
    -- Estimates: sampled_* x sampling_rate; 0 where the rate is unknown (never silently rate 1).
    est_bytes            UInt64 {{codec:T64, ZSTD}},
    est_packets          UInt64 {{codec:T64, ZSTD}},
    -- Which exactly-once sink commit brought the row (see jobs/README.md).
    ingest_batch         UInt64
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(time)
ORDER BY (toStartOfHour(time), exporter_addr, in_if, out_if, time)
{{ttl:time + INTERVAL 90 DAY}};
