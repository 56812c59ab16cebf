-- The outer header of a tunnelled flow record (IPv4/IPv6 in IP, 6in4, SRv6): the row's src/dst/protocol/ports
-- are the carried packet's, these the tunnel's; zero when the record describes one header (jobs/README.md,
-- Record fields). tunnel_protocol is the outer header's protocol: 4 carries IPv4, 41 carries IPv6.
-- One statement per file: 18.16 has no ADD COLUMN IF NOT EXISTS, and a file is all or nothing only when it is
-- a single statement.
ALTER TABLE flows ADD COLUMN tunnel_src_addr {{ipv6}} AFTER post_nat_dst_port, ADD COLUMN tunnel_dst_addr {{ipv6}} AFTER tunnel_src_addr, ADD COLUMN tunnel_protocol UInt8 AFTER tunnel_dst_addr;
