-- The client's Kubernetes pod and its namespace on tls rows, as on dns and http rows (022_dns_pod.sql,
-- 023_http_pod.sql): filled by the L7 job from the loader's socket events; empty when unknown.
ALTER TABLE tls
    ADD COLUMN pod {{lowcard:String}} AFTER container,
    ADD COLUMN pod_namespace {{lowcard:String}} AFTER pod;
