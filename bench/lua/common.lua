-- Shared by the load scripts: thread ids, a status check on every response, and a summary
-- line `JSON {...}` (latencies in microseconds) plus `SAMPLE <first bad response>` for wrk.py.
local M = {}
local threads = {}

function M.install(expected_status)
  function setup(thread)
    thread:set("tid", #threads)
    table.insert(threads, thread)
  end

  function response(status, headers, body)
    if status ~= expected_status then
      bad = (bad or 0) + 1
      if sample == nil then
        sample = status .. " " .. string.sub(body or "", 1, 300)
      end
    end
  end

  function done(summary, latency, requests)
    local bad_total, first_sample = 0, nil
    for _, thread in ipairs(threads) do
      bad_total = bad_total + (thread:get("bad") or 0)
      first_sample = first_sample or thread:get("sample")
    end
    local errors = summary.errors
    io.write(string.format(
      'JSON {"requests": %.0f, "duration_us": %.0f, "bad_status": %.0f, "connect": %.0f, '
        .. '"read": %.0f, "write": %.0f, "timeout": %.0f, "p50": %.0f, "p90": %.0f, '
        .. '"p99": %.0f, "p999": %.0f, "max": %.0f, "mean": %.1f}\n',
      summary.requests, summary.duration, bad_total, errors.connect, errors.read,
      errors.write, errors.timeout, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
    if first_sample then
      io.write("SAMPLE " .. string.gsub(first_sample, "\n", " ") .. "\n")
    end
  end
end

return M
