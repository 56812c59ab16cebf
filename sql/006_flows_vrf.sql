-- The VRF of each side of a flow: ingressVRFID/egressVRFID (IE 234/235) and the names the exporter gives them in
-- its options data (VRFname, IE 236); 0 and '' when not exported (jobs/README.md, Record fields).
-- One statement per file: 18.16 has no ADD COLUMN IF NOT EXISTS, and a file is all or nothing only when it is
-- a single statement.
ALTER TABLE flows ADD COLUMN in_vrf_id UInt32 AFTER tunnel_protocol, ADD COLUMN out_vrf_id UInt32 AFTER in_vrf_id, ADD COLUMN in_vrf_name {{lowcard:String}} AFTER out_vrf_id, ADD COLUMN out_vrf_name {{lowcard:String}} AFTER in_vrf_name;
