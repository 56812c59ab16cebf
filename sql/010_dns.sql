-- DNS: one row per query/response pair from the L7 job (and `sluice l7` offline): answered, a query that
-- timed out, or a response with no query (unsolicited). Placeholders {{...}} are version-gated by
-- `sluice db migrate` (see sql/README.md).
--
-- PARTITION BY day: queries always have a time range, so whole days are skipped, and TTL drops whole parts.
-- ORDER BY starts with the hour, then the server and the question: a time range prunes first, and within an
-- hour one resolver's rows, and one name's rows for it, sit together (the usual "latency / rcodes of this
-- resolver" and "who asks for this name" panels). `time` last keeps each group in time order.
CREATE TABLE IF NOT EXISTS dns
(
    time               DateTime,                       -- the query's second (the response's when unsolicited), UTC
    time_ns            UInt64 {{codec:Delta, ZSTD}},   -- first byte of the query, ns since epoch
    response_time_ns   UInt64 {{codec:Delta, ZSTD}},   -- first byte of the response; 0 when none
    node               {{lowcard:String}},             -- the capturing node
    client_addr        {{ipv6}},                       -- 16 bytes, IPv4 mapped
    client_port        UInt16,
    server_addr        {{ipv6}},
    server_port        UInt16,
    transport          {{lowcard:String}},             -- udp, tcp
    id                 UInt16,
    qname              String,                         -- the first question; "." for the root
    qtype              UInt16,
    qclass             UInt16,
    opcode             UInt8,
    rcode              UInt16,                         -- EDNS-extended (12 bits)
    query_flags        UInt16,                         -- the header's flag bits as sent
    response_flags     UInt16,
    answer_count       UInt16,                         -- the header's counts
    authority_count    UInt16,
    additional_count   UInt16,
    answers            Array(String),                  -- "name TYPE value", at most 32
    edns               UInt8,
    edns_udp_size      UInt16,
    edns_version       UInt8,
    edns_do            UInt8,
    ecs_family         UInt8,                          -- EDNS Client Subnet: 0 none, 1 IPv4, 2 IPv6
    ecs_source_prefix  UInt8,
    ecs_scope_prefix   UInt8,
    ecs_addr           {{ipv6}},
    truncated          UInt8,                          -- TC bit of the response
    query_size         UInt32,
    response_size      UInt32,
    latency_ns         UInt64 {{codec:T64, ZSTD}},     -- response first byte - query first byte; 0 unless answered
    status             {{lowcard:String}},             -- answered, timeout, unsolicited
    pid                UInt32,                         -- process fields: 0 / empty when unknown
    comm               {{lowcard:String}},
    container          {{lowcard:String}},
    -- Which exactly-once sink commit brought the row (see jobs/README.md).
    ingest_batch       UInt64
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(time)
ORDER BY (toStartOfHour(time), server_addr, qname, time)
{{ttl:time + INTERVAL 30 DAY}};
