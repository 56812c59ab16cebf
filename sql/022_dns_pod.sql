-- The client's Kubernetes pod and its namespace next to the other process fields of the dns rows, as in the
-- connections table (021_connections.sql); empty when the loader has no downward information or no socket event
-- named the client. Filled by the L7 job from the loader's socket events (see jobs/README.md, L7). The same columns
-- reach http in 023_http_pod.sql: one ALTER per file (18.16 has no ADD COLUMN IF NOT EXISTS; see sql/README.md).
ALTER TABLE dns
    ADD COLUMN pod {{lowcard:String}} AFTER container,
    ADD COLUMN pod_namespace {{lowcard:String}} AFTER pod;
