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

-- done() prints the RESULT line: one copy, in result.lua beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "result.lua")
