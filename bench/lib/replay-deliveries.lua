-- wrk script: replays pre-signed deliveries from a file, one record per request, so every request is a
-- distinct event (no server under test can answer from a dedupe cache). The file is written by wrk.ts:
-- each record is "<byte length>\n<raw HTTP/1.1 request>". Reading record by record keeps wrk's memory
-- flat however long the file is.
-- Arguments: <file> <byte offset to start at> [<range start> <range end> [<delay ms>]].
-- The range (default: the whole file) is the part of the file this wrk owns, so several wrk processes can
-- replay one file without sending the same event twice. Past the range's end it wraps to its start
-- (counted in `wraps`); the bench sizes the file so our servers never wrap.
-- A delay above 0 paces the load: each connection waits that long before each request (wrk's delay()),
-- so C connections send at most C × 1000 / delay requests per second.

-- Globals, not locals: done() reads them from the thread with thread:get().
local file
offset = 0
records = 0
wraps = 0
local rangeStart = 0
local rangeEnd = nil
local delayMs = 0
local carry = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  file = assert(io.open(args[1], "rb"))
  offset = tonumber(args[2] or "0")
  rangeStart = tonumber(args[3] or "0")
  rangeEnd = args[4] and tonumber(args[4]) or nil
  delayMs = tonumber(args[5] or "0")
  -- wrk only calls delay() when the script defines it once init() has run.
  if delayMs <= 0 then delay = nil end
  file:seek("set", offset)
end

-- wrk takes whole milliseconds: the fraction is carried over, so the mean delay is exactly delayMs.
function delay()
  carry = carry + delayMs
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
