-- wrk script of bench/surveys.sh: GET SURVEY_PATH again and again, and one
-- machine-readable RESULT line at the end:
--   RESULT requests_per_second p50_ms p90_ms p99_ms max_ms non_2xx socket_errors requests
local path = os.getenv("SURVEY_PATH") or "/surveys"

function request()
  return wrk.format("GET", path)
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
