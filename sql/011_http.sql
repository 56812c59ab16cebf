-- HTTP/1.x: one row per exchange from the L7 job (and `sluice l7` offline): a request and its final response,
-- a request that timed out or whose response the capture lost, or a response with no request (unsolicited).
-- Placeholders {{...}} are version-gated by `sluice db migrate` (see sql/README.md).
--
-- PARTITION BY day: queries always have a time range, so whole days are skipped, and TTL drops whole parts.
-- ORDER BY starts with the hour, then the server and the host: a time range prunes first, and within an hour
-- one service's rows sit together (the usual "latency / status codes of this service" panels). `time` last
-- keeps each group in time order.
CREATE TABLE IF NOT EXISTS http
(
    time                DateTime,                       -- the request's second (the response's when unsolicited), UTC
    time_ns             UInt64 {{codec:Delta, ZSTD}},   -- first byte of the request, ns since epoch
    response_time_ns    UInt64 {{codec:Delta, ZSTD}},   -- first byte of the final response; 0 when none
    node                {{lowcard:String}},
    client_addr         {{ipv6}},                       -- 16 bytes, IPv4 mapped
    client_port         UInt16,
    server_addr         {{ipv6}},
    server_port         UInt16,
    method              {{lowcard:String}},
    host                {{lowcard:String}},
    path                String,                         -- the request target as sent, at most 2048 characters
    version             {{lowcard:String}},             -- HTTP/1.1, HTTP/1.0
    status_code         UInt16,                         -- 0 when there is no response
    request_body_size   UInt64 {{codec:T64, ZSTD}},     -- body bytes, after chunked framing is removed
    response_body_size  UInt64 {{codec:T64, ZSTD}},
    content_type        {{lowcard:String}},             -- the response's, else the request's
    user_agent          {{lowcard:String}},
    latency_ns          UInt64 {{codec:T64, ZSTD}},     -- response first byte - request first byte; 0 unless answered
    status              {{lowcard:String}},             -- answered, timeout, unsolicited, lost
    pid                 UInt32,                         -- process fields: 0 / empty when unknown
    comm                {{lowcard:String}},
    container           {{lowcard:String}},
    -- Which exactly-once sink commit brought the row (see jobs/README.md).
    ingest_batch        UInt64
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(time)
ORDER BY (toStartOfHour(time), server_addr, host, time)
{{ttl:time + INTERVAL 30 DAY}};
