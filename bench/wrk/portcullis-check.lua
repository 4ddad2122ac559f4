-- wrk: Envoy-HTTP-style checks, GET /v1/check/orders/1 with alice's bearer token (BENCH_TOKEN).
-- report.lua lies beside this script (BENCH_LUA_DIR, if set, wins): no need to run from bench/wrk.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or here) .. "/?.lua"
local report = require("report")
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
done = report.done
