-- wrk: Envoy-HTTP-style checks, GET /v1/check/orders/1 with alice's bearer token (BENCH_TOKEN).
package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local report = require("report")
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
done = report.done
