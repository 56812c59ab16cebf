-- Per exporter and second: what arrived and how well it decoded, from FlowJob's 1-second tumbling window.
-- Loss is an estimate from sequence-number gaps (reorders and restarts are not counted as loss); every other
-- number is exact. ORDER BY exporter first: the health panels look at one exporter over time.
CREATE TABLE IF NOT EXISTS exporter_stats
(
    time                 DateTime,
    exporter_addr        {{ipv6}},
    exporter_name        {{lowcard:String}},
    site                 {{lowcard:String}},
    flow_type            {{lowcard:String}},
    datagrams            UInt64,
    records              UInt64,
    bytes                UInt64,                         -- UDP payload bytes received
    est_lost_datagrams   UInt64,                         -- NetFlow v5/v9, sFlow: sequence counts datagrams
    est_lost_records     UInt64,                         -- IPFIX (and v5 flow sequence): sequence counts records
    problem_reasons      Array(String),                  -- decode problems: problem_counts[i] of problem_reasons[i]
    problem_counts       Array(UInt64),
    sampling_rates       Array(UInt32),                  -- the distinct rates applied in this second
    sampling_rate_sources Array(String),                 -- and where each came from (same index)
    configured_rate      UInt32,                         -- the registry's rate for this exporter, 0: none
    ingest_batch         UInt64
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(time)
ORDER BY (exporter_addr, time)
{{ttl:time + INTERVAL 90 DAY}};

-- sFlow counter samples: the generic interface record and, where sent, the Ethernet one. Counters are the
-- device's running totals (rates come from differences between samples).
CREATE TABLE IF NOT EXISTS interface_counters
(
    time                 DateTime,
    exporter_addr        {{ipv6}},
    exporter_name        {{lowcard:String}},
    site                 {{lowcard:String}},
    if_index             UInt32,
    if_name              {{lowcard:String}},
    if_type              UInt32,
    if_speed             UInt64,
    if_direction         UInt8,
    if_admin_up          UInt8,
    if_oper_up           UInt8,
    in_octets            UInt64,
    in_ucast_pkts        UInt64,
    in_multicast_pkts    UInt64,
    in_broadcast_pkts    UInt64,
    in_discards          UInt64,
    in_errors            UInt64,
    in_unknown_protos    UInt64,
    out_octets           UInt64,
    out_ucast_pkts       UInt64,
    out_multicast_pkts   UInt64,
    out_broadcast_pkts   UInt64,
    out_discards         UInt64,
    out_errors           UInt64,
    promiscuous          UInt8,
    has_ethernet         UInt8,
    dot3_alignment_errors UInt64,
    dot3_fcs_errors      UInt64,
    dot3_late_collisions UInt64,
    dot3_frame_too_longs UInt64,
    ingest_batch         UInt64
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(time)
ORDER BY (exporter_addr, if_index, time)
{{ttl:time + INTERVAL 90 DAY}};
