-- wrk: the same question asked of OPA alone, which verifies the JWT itself (io.jwt.decode_verify).
-- report.lua lies beside this script (BENCH_LUA_DIR, if set, wins): no need to run from bench/wrk.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or here) .. "/?.lua"
local report = require("report")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"input":{"method":"GET","path":"/orders/1","token":"' .. os.getenv("BENCH_TOKEN") .. '"}}'
done = report.done
