-- TLS: one row per handshake seen in clear by the L7 job (and `sluice l7` offline): what the ClientHello offered,
-- what the ServerHello chose, and how it ended as far as the clear part shows. No decryption.
-- Placeholders {{...}} are version-gated by `sluice db migrate` (see sql/README.md).
--
-- PARTITION BY day and ORDER BY hour, server, SNI: "who talks to this service under which name" panels read one
-- service's handshakes together.
CREATE TABLE IF NOT EXISTS tls
(
    time                    DateTime,                       -- the ClientHello's second, UTC
    time_ns                 UInt64 {{codec:Delta, ZSTD}},   -- the record that completed the ClientHello
    server_hello_ns         UInt64 {{codec:Delta, ZSTD}},   -- the ServerHello's; 0 when none
    node                    {{lowcard:String}},
    client_addr             {{ipv6}},
    client_port             UInt16,
    server_addr             {{ipv6}},
    server_port             UInt16,
    sni                     {{lowcard:String}},             -- server_name's host_name; empty when not sent
    alpn_offered            Array(String),                  -- in the client's order
    versions_offered        Array(String),                  -- supported_versions ("TLS 1.3", ...), GREASE left out
    cipher_suites           Array(UInt16),                  -- offered, in order, GREASE left out
    ja3                     String,                         -- MD5 hex; empty when the ClientHello was cut
    ja4                     {{lowcard:String}},             -- empty when the ClientHello was cut
    client_hello_truncated  UInt8,                          -- 1: the capture cut the ClientHello (SNI still read)
    version                 {{lowcard:String}},             -- negotiated (supported_versions for TLS 1.3); empty when none
    cipher_suite            UInt16,                         -- chosen; 0 when no ServerHello
    alpn                    {{lowcard:String}},             -- chosen, when in clear (TLS 1.2); TLS 1.3 encrypts it
    resumed                 UInt8,
    hello_retry             UInt8,                          -- the server sent a HelloRetryRequest
    handshake_ns            UInt64 {{codec:T64, ZSTD}},     -- ServerHello - ClientHello; 0 unless both
    alert_level             UInt8,                          -- the first alert in clear: 1 warning, 2 fatal; 0 none
    alert_description       UInt8,                          -- its code (RFC 8446 6), when alert_level > 0
    alert_from_server       UInt8,
    status                  {{lowcard:String}},             -- ok, failed (fatal alert in clear), no_server_hello
    pid                     UInt32,                         -- the client's process: 0 / empty when unknown
    comm                    {{lowcard:String}},
    container               {{lowcard:String}},
    cgroup_id               UInt64,
    ingest_batch            UInt64
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(time)
ORDER BY (toStartOfHour(time), server_addr, sni, time)
{{ttl:time + INTERVAL 30 DAY}};
