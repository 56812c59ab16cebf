-- The client's Kubernetes pod and its namespace on http rows, as on dns rows (022_dns_pod.sql).
ALTER TABLE http
    ADD COLUMN pod {{lowcard:String}} AFTER container,
    ADD COLUMN pod_namespace {{lowcard:String}} AFTER pod;
