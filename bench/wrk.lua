-- wrk script for bench.load: one path, optional cache-busting, a request cap, and a JSON summary.
--
-- Arguments (after "--"): <path> <bust: 0|1> <max requests per thread> <run tag>
-- With bust=1 every request gets a unique "_=<tag>-<thread>-<n>" (the jQuery cache-buster Wagtail API v2
-- accepts), so each one misses the server-side response cache. The cap stops a thread by itself even if
-- the duration is long; -d bounds the time.

local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  bust = args[2] == "1"
  cap = tonumber(args[3])
  tag = args[4]
  separator = string.find(path, "?", 1, true) and "&" or "?"
  fixed = wrk.format(nil, path)
end

function request()
  counter = counter + 1
  if counter >= cap then
    wrk.thread:stop()
  end
  if bust then
    return wrk.format(nil, path .. separator .. "_=" .. tag .. "-" .. tid .. "-" .. counter)
  end
  return fixed
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    latency.mean, errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
