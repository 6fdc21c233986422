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

-- done() prints the RESULT line: one copy, in result.lua beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "result.lua")
