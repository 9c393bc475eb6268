-- POST /api/v1/returns, each request on the next untouched order (see bench/seed.py for ids).
-- Arguments: <api key> <first order id> <thread count>.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
require("common").install(201)

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local BODY = '{"order_id": %d, "lines": ['
  .. '{"order_line_id": %d, "quantity": 1, "reason_code": "too_small"}, '
  .. '{"order_line_id": %d, "quantity": 1, "reason_code": "changed_mind"}], '
  .. '"resolution": "refund", "return_method": "ship_yourself"}'
local first_order, stride, sent

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  first_order = tonumber(args[2])
  stride = tonumber(args[3])
  sent = 0
end

function request()
  local order = first_order + tid + sent * stride
  sent = sent + 1
  return wrk.format(nil, nil, nil, string.format(BODY, order, 2 * order - 1, 2 * order))
end
