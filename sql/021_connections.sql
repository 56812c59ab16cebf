-- Connections: every TCP connection and UDP socket-and-peer of a node, from the eBPF loader's socket events alone
-- (no packets), made by the connections job (jobs/README.md, "Connections").
-- Placeholders {{...}} are version-gated by `sluice db migrate` (see sql/README.md).
--
-- Rows are slices of a lifetime. A lifetime shorter than one slice (60 s) is one row. A longer one gets a row at the
-- end of each slice while it lasts (final = 0), so dashboards see it while it is open, and one last row (final = 1)
-- when it ends. Additive columns (retrans_segs, rtt_samples, bytes_*, segs_*) count only their own slice
-- [slice_start_ns, slice_end_ns): sum() over any rows never counts twice. Columns of the lifetime (open_ns, the
-- process, states, direction) are repeated on every row; close_ns, end_reason and the whole duration are on the
-- final row. Count connections with final = 1 (ended) or uniqExact(node, netns, local_addr, local_port, remote_addr,
-- remote_port, open_ns) (seen, open or not).
--
-- PARTITION BY day; ORDER BY hour, node, process, peer: "what does this process talk to" reads one range.
CREATE TABLE IF NOT EXISTS connections
(
    time            DateTime,                       -- the slice's end second, UTC (the close for a final row)
    slice_start_ns  UInt64 {{codec:Delta, ZSTD}},
    slice_end_ns    UInt64 {{codec:Delta, ZSTD}},
    seq             UInt32,                         -- the slice's number in its lifetime: 0, 1, ...
    final           UInt8,                          -- 1: the lifetime's last row
    node            {{lowcard:String}},
    netns           UInt64,                         -- the socket's network namespace (inode number)
    pid             UInt32,                         -- the socket's process: 0 / empty until a trusted event names it
    comm            {{lowcard:String}},
    container       {{lowcard:String}},
    pod             {{lowcard:String}},
    pod_namespace   {{lowcard:String}},
    cgroup_id       UInt64,
    transport       {{lowcard:String}},             -- tcp, udp
    local_addr      {{ipv6}},                       -- the socket's own end, 16 bytes, IPv4 mapped
    local_port      UInt16,
    remote_addr     {{ipv6}},
    remote_port     UInt16,
    direction       {{lowcard:String}},             -- connect, accept, send (UDP), unknown (opening not seen)
    open_ns         UInt64,                         -- connect: SYN_SENT; accept: handshake done; UDP: first send
    close_ns        UInt64,                         -- final rows: the close (or the last event seen); else 0
    duration_ns     UInt64 {{codec:T64, ZSTD}},     -- slice_end_ns - open_ns (final: close_ns - open_ns)
    states          Array(String),                  -- TCP states reached so far, in order (SYN_SENT, ESTABLISHED, ...)
    end_reason      {{lowcard:String}},             -- final rows: fin, rst, rst_sent, refused, timeout, error, closed,
                                                    -- expired, idle, open; '' on the other rows
    sk_err          UInt16,                         -- the socket's error at the close (errno), 0 none
    retrans_segs    UInt32,                         -- TCP segments retransmitted (tcp_sock.total_retrans), this slice
    rtt_samples     UInt32,                         -- srtt values read at this slice's events
    rtt_min_us      UInt32,
    rtt_avg_us      UInt32,
    rtt_max_us      UInt32,
    bytes_out       UInt64,                         -- TCP: bytes acknowledged by the peer; UDP: payload bytes sent
    bytes_in        UInt64,                         -- TCP: bytes received; UDP: 0
    segs_out        UInt64,                         -- TCP: segments sent; UDP: datagrams sent
    segs_in         UInt64,
    ingest_batch    UInt64
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(time)
ORDER BY (toStartOfHour(time), node, comm, remote_addr, time)
{{ttl:time + INTERVAL 30 DAY}};
