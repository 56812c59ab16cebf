-- 1 when the capture's snap length hid framing of the request or the response (its start line, the end of its
-- header block, a chunk size): method, path, status and latency are exact, headers after the cut may be missing
-- and the body sizes are lower bounds. One statement, as 013_http_cgroup.sql.
ALTER TABLE http ADD COLUMN incomplete UInt8 AFTER status;
