-- wrk script: GET with a bearer token (SPEGLA_TOKEN). wrk counts answers other than 2xx/3xx itself.
local token = os.getenv("SPEGLA_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end

