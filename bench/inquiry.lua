-- wrk script of bench/inquiry.sh: the zoning inquiry at random points of the demo's map,
-- with the staff token of INQUIRY_TOKEN, and one machine-readable RESULT line at the end:
--   RESULT requests_per_second p50_ms p90_ms p99_ms max_ms non_2xx socket_errors requests
local token = os.getenv("INQUIRY_TOKEN") or ""

function init(args)
  math.randomseed(os.time() + math.random(1000))
end

function request()
  local lon = 51.42 + math.random() * 0.02
  local lat = 35.79 + math.random() * 0.02
  local path = string.format("/api/v1/zoning/inquiry?lon=%.6f&lat=%.6f", lon, lat)
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT %.1f %.3f %.3f %.3f %.3f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    summary.requests))
end
