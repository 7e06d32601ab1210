-- wrk script: PATCH one text field of a form with a new value each time (a durable write per request).
-- Environment: SPEGLA_TOKEN (bearer token), SPEGLA_FIELD (the field id).
local token = os.getenv("SPEGLA_TOKEN")
local field = os.getenv("SPEGLA_FIELD")
local counter = 0
local prefix = tostring(math.random(1, 1000000))

function setup(thread)
  thread:set("id", tostring(math.random(1, 1000000)))
end

function init(args)
  prefix = id or prefix
end

wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["If-Match"] = "*"

function request()
  counter = counter + 1
  local body = '{"fields":{"' .. field .. '":"Mätning ' .. prefix .. "-" .. counter .. '"}}'
  return wrk.format(nil, nil, nil, body)
end

