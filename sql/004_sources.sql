-- The flow-source registry, mirrored from the compacted Kafka topic sluice.sources (the source of truth) by
-- `sluice sources add/remove/sync`, so Grafana can use it for variables and joins. Placeholders {{...}} are
-- version-gated by `sluice db migrate` (see sql/README.md).
--
-- One row per change: ReplacingMergeTree keeps, per prefix, the row with the highest updated_ns once parts merge;
-- a removal is a row with deleted = 1 (the topic's tombstone). Read it through `sources_current` (or `FINAL ...
-- WHERE deleted = 0`), never the raw table, which may still hold replaced rows.
CREATE TABLE IF NOT EXISTS sources
(
    prefix                  String,                 -- canonical text, the topic's key: 192.0.2.0/24, 2001:db8::/64
    prefix_addr             {{ipv6}},               -- first address (16 bytes, IPv4 mapped)
    prefix_last_addr        {{ipv6}},               -- last address: join with exporter_addr BETWEEN prefix_addr AND prefix_last_addr
    prefix_len              UInt8,                  -- 0..128 in the IPv6 space (an IPv4 /24 is 120)
    name                    String,
    site                    {{lowcard:String}},
    sampling_rate           UInt32,                 -- 0: none configured
    override_sampling       UInt8,                  -- 1: sampling_rate wins over what the exporter reports
    exporter_addr_override  {{ipv6}},               -- NetFlow/IPFIX exporter address to report; all zero: none
    if_index                Array(UInt32),          -- interface names: if_name[i] names if_index[i]
    if_name                 Array(String),
    deleted                 UInt8,                  -- 1: removed
    updated_ns              UInt64                  -- when the registration was written, ns since epoch; the version
)
ENGINE = ReplacingMergeTree(updated_ns)
ORDER BY prefix;

-- The registrations in force: one row per prefix, removals left out.
CREATE VIEW IF NOT EXISTS sources_current AS
SELECT prefix, prefix_addr, prefix_last_addr, prefix_len, name, site, sampling_rate, override_sampling,
       exporter_addr_override, if_index, if_name, updated_ns
FROM sources FINAL
WHERE deleted = 0;
