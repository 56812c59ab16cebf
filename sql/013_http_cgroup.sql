-- The client socket's cgroup v2 id next to the other process fields of the http table; 0 when unknown. As
-- 012_dns_cgroup.sql: one statement, since 18.16 has no ADD COLUMN IF NOT EXISTS.
ALTER TABLE http ADD COLUMN cgroup_id UInt64 AFTER container;
