-- wrk script: replays pre-signed deliveries from a file, one record per request, so every request is a
-- distinct event (no server under test can answer from a dedupe cache). The file is written by wrk.ts:
-- each record is "<byte length>\n<raw HTTP/1.1 request>". Reading record by record keeps wrk's memory
-- flat however long the file is. Arguments: <file> <byte offset to start at>.
-- Past the end it wraps around (counted in `wraps`); the bench sizes the file so our servers never wrap.

-- Globals, not locals: done() reads them from the thread with thread:get().
local file
offset = 0
records = 0
wraps = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  file = assert(io.open(args[1], "rb"))
  offset = tonumber(args[2] or "0")
  file:seek("set", offset)
end

function request()
  local header = file:read("*l")
  if header == nil then
    wraps = wraps + 1
    offset = 0
    file:seek("set", 0)
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
