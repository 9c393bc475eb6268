-- GET /api/v1/returns/{id} on random stored returns.
-- Arguments: <api key> <first return id> <last return id>.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
require("common").install(200)

local first_id, last_id

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  first_id = tonumber(args[2])
  last_id = tonumber(args[3])
  math.randomseed(os.time() + 7919 * tid)
end

function request()
  return wrk.format("GET", "/api/v1/returns/" .. math.random(first_id, last_id))
end
