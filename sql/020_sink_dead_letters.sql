-- Chunks the sink gave up on. A commit that fails for a reason waiting does not fix (a non-transient ClickHouse
-- error, e.g. code 252 "too many partitions for single INSERT block") is not retried forever: the chunk's rows are
-- copied to _sluice_dead_<table> (the columns as staged, made by the sink) and one row here says which chunk,
-- how many rows, and why; then the sink goes on. Re-insert a chunk once the cause is fixed with
--   INSERT INTO <table> SELECT * FROM _sluice_dead_<table> WHERE ingest_batch = N
CREATE TABLE IF NOT EXISTS sink_dead_letters
(
    dead_lettered_at  DateTime,
    target_table      String,                 -- the table the chunk was for
    ingest_batch      UInt64,                 -- the chunk's id: its rows in _sluice_dead_<table> carry it
    rows              UInt64,
    error_code        Int32,                  -- ClickHouse's error code
    error             String,                 -- the server's message
    rows_table        String                  -- where the rows are kept
)
ENGINE = MergeTree() PARTITION BY toYYYYMM(dead_lettered_at) ORDER BY (target_table, ingest_batch);
