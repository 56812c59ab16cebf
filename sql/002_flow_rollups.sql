-- Rollups of flows for long time ranges: per minute and per hour, without the high-cardinality columns
-- (addresses, ports, MACs, next hops). Each row sums the records of one combination of the dimensions below.
-- The materialized views run inside the sink's commit of each block, so the rollups are exactly once too.
--
-- SummingMergeTree sums the measures of rows with the same ORDER BY key when parts merge, so every dimension
-- is in the key; queries must still sum() and GROUP BY, as rows of one key may sit in unmerged parts.
-- PARTITION BY month (minutes) or year (hours): partitions stay large while TTL can drop whole ones.
CREATE TABLE IF NOT EXISTS flows_1m
(
    time                 DateTime,                       -- the minute
    exporter_addr        {{ipv6}},
    exporter_name        {{lowcard:String}},
    site                 {{lowcard:String}},
    flow_type            {{lowcard:String}},
    in_if                UInt32,
    out_if               UInt32,
    in_if_name           {{lowcard:String}},
    out_if_name          {{lowcard:String}},
    direction            UInt8,
    protocol             UInt8,
    src_as               UInt32,
    dst_as               UInt32,
    sampling_rate_source {{lowcard:String}},
    records              UInt64,
    sampled_bytes        UInt64,
    sampled_packets      UInt64,
    est_bytes            UInt64,
    est_packets          UInt64
)
ENGINE = SummingMergeTree((records, sampled_bytes, sampled_packets, est_bytes, est_packets))
PARTITION BY toYYYYMM(time)
ORDER BY (time, exporter_addr, in_if, out_if, direction, protocol, src_as, dst_as, flow_type, exporter_name, site,
          in_if_name, out_if_name, sampling_rate_source)
{{ttl:time + INTERVAL 1 YEAR}};

CREATE MATERIALIZED VIEW IF NOT EXISTS flows_1m_mv TO flows_1m AS
SELECT toStartOfMinute(time) AS time, exporter_addr, exporter_name, site, flow_type, in_if, out_if, in_if_name,
       out_if_name, direction, protocol, src_as, dst_as, sampling_rate_source,
       count() AS records, sum(sampled_bytes) AS sampled_bytes, sum(sampled_packets) AS sampled_packets,
       sum(est_bytes) AS est_bytes, sum(est_packets) AS est_packets
FROM flows
GROUP BY time, exporter_addr, exporter_name, site, flow_type, in_if, out_if, in_if_name, out_if_name, direction,
         protocol, src_as, dst_as, sampling_rate_source;

CREATE TABLE IF NOT EXISTS flows_1h
(
    time                 DateTime,                       -- the hour
    exporter_addr        {{ipv6}},
    exporter_name        {{lowcard:String}},
    site                 {{lowcard:String}},
    flow_type            {{lowcard:String}},
    in_if                UInt32,
    out_if               UInt32,
    in_if_name           {{lowcard:String}},
    out_if_name          {{lowcard:String}},
    direction            UInt8,
    protocol             UInt8,
    src_as               UInt32,
    dst_as               UInt32,
    sampling_rate_source {{lowcard:String}},
    records              UInt64,
    sampled_bytes        UInt64,
    sampled_packets      UInt64,
    est_bytes            UInt64,
    est_packets          UInt64
)
ENGINE = SummingMergeTree((records, sampled_bytes, sampled_packets, est_bytes, est_packets))
PARTITION BY toYear(time)
ORDER BY (time, exporter_addr, in_if, out_if, direction, protocol, src_as, dst_as, flow_type, exporter_name, site,
          in_if_name, out_if_name, sampling_rate_source)
{{ttl:time + INTERVAL 5 YEAR}};

CREATE MATERIALIZED VIEW IF NOT EXISTS flows_1h_mv TO flows_1h AS
SELECT toStartOfHour(time) AS time, exporter_addr, exporter_name, site, flow_type, in_if, out_if, in_if_name,
       out_if_name, direction, protocol, src_as, dst_as, sampling_rate_source,
       count() AS records, sum(sampled_bytes) AS sampled_bytes, sum(sampled_packets) AS sampled_packets,
       sum(est_bytes) AS est_bytes, sum(est_packets) AS est_packets
FROM flows
GROUP BY time, exporter_addr, exporter_name, site, flow_type, in_if, out_if, in_if_name, out_if_name, direction,
         protocol, src_as, dst_as, sampling_rate_source;
