-- Router flows joined to the processes behind them (jobs/README.md, "Flows joined to processes"). A flows row whose
-- 5-tuple matches a connection the loaders saw gets that connection's node, process, container and pod: one row per
-- flow and end (side = 'src': the process at the flow's source address, the sender of its packets; 'dst': at its
-- destination). A flow between two watched nodes has a row for each end; a flow with no watched end has none.
--
-- A connection matches when the flow's source and destination are the connection's local and remote ends (side
-- 'src') or its remote and local ends (side 'dst'), in the flow's addresses as the exporter saw them or in its
-- post-NAT ones (nat = 1; an all-zero post-NAT column means that field was not translated). So a node behind the
-- router's source NAT is found on its outgoing flows by their pre-NAT source and on the answers by their post-NAT
-- destination; a server behind destination NAT the other way round. The connection must be open within 10 s of the
-- flow's first and last packet (flow_start_ms / flow_end_ms, the row's second when the exporter gave none), which
-- keeps apart two lifetimes of one 5-tuple and allows for the exporter's and the node's clocks.
--
-- A view, not columns filled at ingest: BENCHMARKS.md ("Flows joined to processes") has the measurements and the
-- reasons. ClickHouse 18.16 joins one right side per SELECT, with equality keys only, and builds the right side in
-- memory in full: filter the view's time (WHERE time ...) and it reads the flows of that range, but all connections.
-- The Grafana panel writes the same join with the time range on both sides.
CREATE VIEW IF NOT EXISTS flow_processes AS
SELECT
    time, flow_start_ms, flow_end_ms, flow_type, exporter_addr, exporter_name, site, in_if, out_if, in_if_name,
    out_if_name, src_addr, dst_addr, src_port, dst_port, protocol, tcp_flags, src_as, dst_as, post_nat_src_addr,
    post_nat_dst_addr, post_nat_src_port, post_nat_dst_port, sampled_bytes, sampled_packets, sampling_rate, est_bytes,
    est_packets, side, nat, node, netns, pid, comm, container, pod, pod_namespace, cgroup_id, connection_direction,
    open_ns, last_ns
FROM
(
    SELECT
        time, flow_start_ms, flow_end_ms, flow_type, exporter_addr, exporter_name, site, in_if, out_if, in_if_name,
        out_if_name, src_addr, dst_addr, src_port, dst_port, protocol, tcp_flags, src_as, dst_as, post_nat_src_addr,
        post_nat_dst_addr, post_nat_src_port, post_nat_dst_port, sampled_bytes, sampled_packets, sampling_rate,
        est_bytes, est_packets,
        if(flow_start_ms = 0, toUInt64(time) * 1000, flow_start_ms) * 1000000 AS first_ns,
        if(flow_end_ms = 0, toUInt64(time) * 1000 + 999, flow_end_ms) * 1000000 AS last_packet_ns,
        if(IPv6NumToString(post_nat_src_addr) = '::', src_addr, post_nat_src_addr) AS nat_src_addr,
        if(IPv6NumToString(post_nat_dst_addr) = '::', dst_addr, post_nat_dst_addr) AS nat_dst_addr,
        if(post_nat_src_port = 0, src_port, post_nat_src_port) AS nat_src_port,
        if(post_nat_dst_port = 0, dst_port, post_nat_dst_port) AS nat_dst_port,
        (nat_src_addr != src_addr OR nat_dst_addr != dst_addr OR nat_src_port != src_port OR nat_dst_port != dst_port)
            AS translated,
        arrayJoin(arrayFilter(c -> tupleElement(c, 2) = 0 OR translated, [
            tuple('src', 0, src_addr, src_port, dst_addr, dst_port),
            tuple('dst', 0, dst_addr, dst_port, src_addr, src_port),
            tuple('src', 1, nat_src_addr, nat_src_port, nat_dst_addr, nat_dst_port),
            tuple('dst', 1, nat_dst_addr, nat_dst_port, nat_src_addr, nat_src_port)])) AS candidate,
        tupleElement(candidate, 1) AS side,
        tupleElement(candidate, 2) AS nat,
        tupleElement(candidate, 3) AS local_addr,
        tupleElement(candidate, 4) AS local_port,
        tupleElement(candidate, 5) AS remote_addr,
        tupleElement(candidate, 6) AS remote_port
    FROM flows
    WHERE protocol IN (6, 17)
) AS f
ALL INNER JOIN
(
    SELECT
        local_addr, local_port, remote_addr, remote_port, if(transport = 'tcp', 6, 17) AS protocol, node, netns,
        argMax(pid, slice_end_ns) AS pid, argMax(comm, slice_end_ns) AS comm, argMax(container, slice_end_ns) AS container,
        argMax(pod, slice_end_ns) AS pod, argMax(pod_namespace, slice_end_ns) AS pod_namespace,
        argMax(cgroup_id, slice_end_ns) AS cgroup_id, any(direction) AS connection_direction, open_ns,
        max(if(close_ns = 0, slice_end_ns, close_ns)) AS last_ns
    FROM connections
    GROUP BY node, netns, local_addr, local_port, remote_addr, remote_port, transport, open_ns
) AS c USING (local_addr, local_port, remote_addr, remote_port, protocol)
WHERE first_ns <= last_ns + 10000000000 AND last_packet_ns + 10000000000 >= open_ns;
