-- wrk script: GET /api/instances/{id} over the ids in SPEGLA_IDS (comma-separated) in turn, with a bearer
-- token (SPEGLA_TOKEN): every request loads another instance.
local token = os.getenv("SPEGLA_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
local ids = {}
for id in string.gmatch(os.getenv("SPEGLA_IDS") or "", "[^,]+") do ids[#ids + 1] = id end
local next_index = 0

function init(args)
  next_index = math.random(1, #ids)
end

function request()
  next_index = next_index % #ids + 1
  return wrk.format(nil, wrk.path .. ids[next_index])
end
