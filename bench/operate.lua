-- wrk script for bench.operate: one path, statuses counted, optional conditional requests, a request cap.
--
-- Arguments (after "--"): <path> <conditional: 0|1> <max requests per thread> <initial ETag or "-">
-- With conditional=1 every request carries If-None-Match with the last ETag this thread was sent, as a client
-- revalidating its copy would: after a publish changes the response, the first request gets a 200 with the new
-- ETag and the following ones 304 again. wrk itself only counts statuses >= 400 as errors; here every status
-- other than 200 and 304 is counted (a redirect would be wrong for the API too).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  conditional = args[2] == "1"
  cap = tonumber(args[3])
  etag = args[4] ~= "-" and args[4] or nil
  counter = 0
  n200 = 0
  n304 = 0
  nother = 0
  plain = wrk.format("GET", path)
end

function request()
  counter = counter + 1
  if counter >= cap then
    wrk.thread:stop()
  end
  if conditional and etag then
    return wrk.format("GET", path, { ["If-None-Match"] = etag })
  end
  return plain
end

function response(status, headers, body)
  if status == 200 then
    n200 = n200 + 1
    if conditional then
      local tag = headers["ETag"] or headers["etag"] or headers["Etag"]
      if tag then
        etag = tag
      end
    end
  elseif status == 304 then
    n304 = n304 + 1
  else
    nother = nother + 1
  end
end

function done(summary, latency, requests)
  local ok, not_modified, other = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("n200")
    not_modified = not_modified + thread:get("n304")
    other = other + thread:get("nother")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "status_200": %d, "status_304": %d, '
      .. '"status_other": %d, "errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), ok, not_modified,
    other, errors.connect, errors.read, errors.write, errors.timeout
  ))
end
