-- HTTP/2 and gRPC columns of the http table (issue 17). HTTP/2 streams are http rows with version 'HTTP/2';
-- HTTP/1.x rows keep these columns' defaults (0 / empty, grpc_status -1). One ALTER statement, so the file applies
-- whole or not at all (18.16 has no ADD COLUMN IF NOT EXISTS; see sql/README.md).
--   stream_id               the HTTP/2 stream (1 for a request upgraded from HTTP/1.1 by `Upgrade: h2c`); 0 for HTTP/1
--   scheme                  the request's :scheme
--   response_end_ns         the frame that ended the response (END_STREAM), ns since epoch; 0 when it did not end
--   error_code              the RST_STREAM or GOAWAY error code that ended the stream (RFC 9113 7); 0 otherwise
--   pushed                  1: a stream the server pushed (PUSH_PROMISE)
--   grpc                    1: a gRPC call (content-type application/grpc...)
--   grpc_service, grpc_method  from :path /package.Service/Method
--   grpc_status             from the trailers or a trailers-only response; -1 when none was seen
--   grpc_message            percent-decoded
--   grpc_request_messages, grpc_response_messages  length-prefixed messages in each direction (streaming calls)
--   grpc_timeout_ns         the request's grpc-timeout; 0 when none
ALTER TABLE http
    ADD COLUMN stream_id UInt32 AFTER cgroup_id,
    ADD COLUMN scheme {{lowcard:String}} AFTER stream_id,
    ADD COLUMN response_end_ns UInt64 {{codec:Delta, ZSTD}} AFTER scheme,
    ADD COLUMN error_code UInt32 AFTER response_end_ns,
    ADD COLUMN pushed UInt8 AFTER error_code,
    ADD COLUMN grpc UInt8 AFTER pushed,
    ADD COLUMN grpc_service {{lowcard:String}} AFTER grpc,
    ADD COLUMN grpc_method {{lowcard:String}} AFTER grpc_service,
    ADD COLUMN grpc_status Int16 DEFAULT -1 AFTER grpc_method,
    ADD COLUMN grpc_message String AFTER grpc_status,
    ADD COLUMN grpc_request_messages UInt64 {{codec:T64, ZSTD}} AFTER grpc_message,
    ADD COLUMN grpc_response_messages UInt64 {{codec:T64, ZSTD}} AFTER grpc_request_messages,
    ADD COLUMN grpc_timeout_ns UInt64 {{codec:T64, ZSTD}} AFTER grpc_response_messages;
