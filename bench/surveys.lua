-- wrk script of bench/surveys.sh: GET SURVEY_PATH again and again, and one
-- machine-readable RESULT line at the end:
--   RESULT requests_per_second p50_ms p90_ms p99_ms max_ms non_2xx socket_errors requests
local path = os.getenv("SURVEY_PATH") or "/surveys"

function request()
  return wrk.format("GET", path)
end

-- done() prints the RESULT line: one copy, in result.lua beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "result.lua")
