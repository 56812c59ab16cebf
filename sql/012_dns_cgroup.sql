-- The client socket's cgroup v2 id (the cgroup directory's inode) next to the other process fields of the dns
-- table; 0 when unknown. Filled by the L7 job from the eBPF loader's socket events (see jobs/README.md, L7).
-- One statement per file: 18.16 has no ADD COLUMN IF NOT EXISTS, and a file is all or nothing only when it is
-- a single statement.
ALTER TABLE dns ADD COLUMN cgroup_id UInt64 AFTER container;
