-- POST /api/v1/returns/{id}/refunds (manual), each request on the next approved return not yet
-- refunded: a return is refunded once, a second refund is a 409 (approved returns have the even
-- ids, see bench/seed.py). Arguments: <api key> <first return id> <id step> <thread count>.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
require("common").install(201)

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local BODY = '{"method": "manual", "reference": "bench"}'
local PATH = "/api/v1/returns/%d/refunds"
local first_id, step, threads, sent

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  first_id = tonumber(args[2])
  step = tonumber(args[3])
  threads = tonumber(args[4])
  sent = 0
end

function request()
  local id = first_id + step * (tid + sent * threads)
  sent = sent + 1
  return wrk.format("POST", string.format(PATH, id), nil, BODY)
end
