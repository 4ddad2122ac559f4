-- wrk: the same question asked of OPA alone, which verifies the JWT itself (io.jwt.decode_verify).
package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local report = require("report")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"input":{"method":"GET","path":"/orders/1","token":"' .. os.getenv("BENCH_TOKEN") .. '"}}'
done = report.done
