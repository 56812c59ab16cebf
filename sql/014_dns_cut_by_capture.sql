-- 1 when the capture's snap length cut the query or the response (the eBPF loader keeps headers plus --snap
-- payload bytes): the id, flags, rcode, section counts and the question when captured are exact; answers and
-- EDNS fields from the part not captured are missing. One statement, as 012_dns_cgroup.sql.
ALTER TABLE dns ADD COLUMN cut_by_capture UInt8 AFTER status;
