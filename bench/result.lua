-- wrk script for a fixed request given on the command line (its path in the URL, its
-- headers with -H), and the done() the other scripts here load: prints the
-- machine-readable RESULT line the benchmarks read:
--   RESULT requests_per_second p50_ms p90_ms p99_ms max_ms non_2xx socket_errors requests
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT %.1f %.3f %.3f %.3f %.3f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    summary.requests))
end
