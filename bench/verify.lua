-- wrk script of bench/verify.sh: the verify page of serials read from VERIFY_SERIALS (one
-- a line), rotated through from a random start per thread, and one machine-readable
-- RESULT line at the end:
--   RESULT requests_per_second p50_ms p90_ms p99_ms max_ms non_2xx socket_errors requests
local paths = {}
local file = assert(io.open(os.getenv("VERIFY_SERIALS") or "serials.txt"))
for line in file:lines() do
  if line:match("^%d+$") then paths[#paths + 1] = "/verify/" .. line end
end
file:close()
assert(#paths > 0, "no serials in VERIFY_SERIALS")

local next_path = 0

function init(args)
  next_path = math.random(#paths)
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
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
