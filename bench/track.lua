-- wrk script of bench/tracking.sh: rotates through the bill_id,payment_id pairs of the
-- file named by TRACK_PAIRS (one pair a line), each thread from its own starting point;
-- with TRACK_CLIENTS=N, each request comes from one of N client addresses (in
-- X-Forwarded-For, for a server that trusts it), in turn. Prints one machine-readable
-- RESULT line at the end:
--   RESULT requests_per_second p50_ms p90_ms p99_ms max_ms non_2xx socket_errors requests
local paths = {}
local file = assert(io.open(os.getenv("TRACK_PAIRS") or "pairs.csv"))
for line in file:lines() do
  local bill, payment = line:match("^(%d+),(%d+)")
  if bill then
    paths[#paths + 1] = "/api/v1/bills/track?bill_id=" .. bill .. "&payment_id=" .. payment
  end
end
file:close()
assert(#paths > 0, "no bill_id,payment_id pairs in TRACK_PAIRS")

local clients = tonumber(os.getenv("TRACK_CLIENTS") or "0")
local next_path = 0
local next_client = 0

function init(args)
  next_path = math.random(#paths)
  next_client = math.random(math.max(clients, 1))
end

function request()
  next_path = next_path % #paths + 1
  if clients == 0 then
    return wrk.format("GET", paths[next_path])
  end
  next_client = next_client % clients + 1
  local address = string.format("10.%d.%d.%d", math.floor(next_client / 65536) % 256,
    math.floor(next_client / 256) % 256, next_client % 256)
  return wrk.format("GET", paths[next_path], { ["X-Forwarded-For"] = address })
end

-- done() prints the RESULT line: one copy, in result.lua beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "result.lua")
