-- wrk script for CaptureBench: paces every connection of a wrk thread to one schedule, request k at
-- start + k / RATE, so wrk (which otherwise sends as fast as it can) offers a fixed rate. Usage: -- RATE [close]
-- (close: every request asks for its own connection, "Connection: close").
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } sluice_timespec;
int clock_gettime(int clock, sluice_timespec *ts);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("sluice_timespec")
local rate, start, k

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

function init(args)
  rate = tonumber(args[1])
  if args[2] == "close" then
    wrk.headers["Connection"] = "close"
  end
end

function delay()
  if not start then
    start = now_ms()
    k = 0
  end
  k = k + 1
  local wait = start + k * 1000 / rate - now_ms()
  return wait > 0 and math.floor(wait) or 0
end
