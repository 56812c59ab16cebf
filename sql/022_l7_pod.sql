-- The client's Kubernetes pod and its namespace next to the other process fields of the dns and http rows, as in
-- the connections table (021_connections.sql); empty when the loader has no downward information or no socket event
-- named the client. Filled by the L7 job from the loader's socket events (see jobs/README.md, L7).
--
-- One ALTER per table (18.16 has no ADD COLUMN IF NOT EXISTS; see sql/README.md). Unlike the other ALTER files this
-- one holds two statements: should the http one fail after the dns one applied, the file is not recorded and a rerun
-- stops at the dns statement (the column exists); then drop the two dns columns
-- (ALTER TABLE dns DROP COLUMN pod, DROP COLUMN pod_namespace) and migrate again.
ALTER TABLE dns
    ADD COLUMN pod {{lowcard:String}} AFTER container,
    ADD COLUMN pod_namespace {{lowcard:String}} AFTER pod;
ALTER TABLE http
    ADD COLUMN pod {{lowcard:String}} AFTER container,
    ADD COLUMN pod_namespace {{lowcard:String}} AFTER pod;
