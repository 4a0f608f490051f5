-- wrk script: replays pre-signed deliveries from a file, one record per request, so every request is a
-- distinct event (no server under test can answer from a dedupe cache). The file is written by wrk.ts:
-- each record is "<byte length>\n<raw HTTP/1.1 request>". Reading record by record keeps wrk's memory
-- flat however long the file is.
-- Arguments: <file> <byte offset to start at> [<range start> <range end> [<rate req/s> <connections>]].
-- The range (default: the whole file) is the part of the file this wrk owns, so several wrk processes can
-- replay one file without sending the same event twice. Past the range's end it wraps to its start
-- (counted in `wraps`); the bench sizes the file so our servers never wrap.
-- A rate above 0 paces the load through wrk's delay(), called before each request: send slots 1000 / rate
-- ms apart, each request waiting for the next free one, so the rate holds whatever the latency (while
-- some connection is free). Without LuaJIT's ffi (no clock) each connection waits connections × 1000 /
-- rate ms instead, which lands a little below the rate (latency adds to every wait).

-- Globals, not locals: done() reads them from the thread with thread:get().
local file
offset = 0
records = 0
wraps = 0
-- This thread's own state.
local rangeStart = 0
local rangeEnd = nil
local intervalMs = 0
local connectionDelayMs = 0
local carry = 0
local nextSlot = 0
local nowMs = nil
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- A monotonic clock in ms from LuaJIT's ffi (wrk links LuaJIT), or nil without it.
local function monotonicClock()
  local ok, ffi = pcall(require, "ffi")
  if not ok then return nil end
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } replay_timespec;
    int clock_gettime(int clock_id, replay_timespec *tp);
  ]]
  local now = ffi.new("replay_timespec")
  return function()
    ffi.C.clock_gettime(1, now) -- CLOCK_MONOTONIC
    return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
  end
end

function init(args)
  file = assert(io.open(args[1], "rb"))
  offset = tonumber(args[2] or "0")
  rangeStart = tonumber(args[3] or "0")
  rangeEnd = args[4] and tonumber(args[4]) or nil
  local rate = tonumber(args[5] or "0")
  -- wrk only calls delay() when the script defines it once init() has run.
  if rate <= 0 then
    delay = nil
  else
    intervalMs = 1000 / rate
    connectionDelayMs = tonumber(args[6] or "1") * intervalMs
    nowMs = monotonicClock()
  end
  file:seek("set", offset)
end

-- Milliseconds to wait before the next request (wrk truncates to whole ms; the schedule keeps the rate).
function delay()
  if nowMs then
    local now = nowMs()
    local slot = math.max(nextSlot, now)
    nextSlot = slot + intervalMs
    return slot - now
  end
  -- No clock: a fixed wait per connection, the fraction carried over so the mean is exact.
  carry = carry + connectionDelayMs
  local whole = math.floor(carry)
  carry = carry - whole
  return whole
end

function request()
  local header = nil
  if rangeEnd == nil or offset < rangeEnd then header = file:read("*l") end
  if header == nil then
    wraps = wraps + 1
    offset = rangeStart
    file:seek("set", rangeStart)
    header = file:read("*l")
  end
  local length = tonumber(header)
  records = records + 1
  offset = offset + #header + 1 + length
  return file:read(length)
end

-- One JSON line on stdout, parsed by wrk.ts (times in microseconds).
function done(summary, latency, requests)
  local thread = threads[1]
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,' ..
    '"statusErrors":%d,"timeouts":%d,"p50Us":%d,"p99Us":%d,"records":%d,"wraps":%d,"offset":%d}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write, errors.status,
    errors.timeout, latency:percentile(50), latency:percentile(99),
    thread:get("records"), thread:get("wraps"), thread:get("offset")))
end
