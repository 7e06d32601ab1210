-- wrk script for bench/run-scaleout.sh: one wrk driving one or more `spegla serve` processes at once.
-- wrk's thread i connects to the i-th port of SPEGLA_PORTS (comma-separated, on the URL's host; run
-- `wrk -t` as a multiple of their count), so one histogram covers every process.
--   SPEGLA_MODE=read   GET the URL with the bearer token SPEGLA_TOKEN (wrk's static request)
--   SPEGLA_MODE=write  PATCH the form at the URL (/api/instances/{id}/forms/{form}), the text field
--                      SPEGLA_FIELD, a new value each time, If-Match: *, as patch_field.lua does; for the first
--                      SPEGLA_WRITE_SECONDS of each thread on that instance, then the same PATCH on the
--                      instance SPEGLA_DRAIN_INSTANCE until wrk stops. Every request costs the same, but
--                      no write of the measured instance is in flight when wrk stops, so its 2xx answers
--                      (recognised by the body's leading {"instance":ID,) can be counted exactly and
--                      compared with the field's version.
-- done() prints one line per thread: "scaleout thread=N port=P sent=S answered_2xx=A answered_other=O
-- drain_sent=D drain_2xx=E".
local mode = os.getenv("SPEGLA_MODE") or "read"
local token = os.getenv("SPEGLA_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token

local ports = {}
for port in string.gmatch(os.getenv("SPEGLA_PORTS") or "", "[^,]+") do ports[#ports + 1] = port end
local threads = {}

function setup(thread)
  local index = #threads + 1
  threads[index] = thread
  if #ports > 0 then
    local port = ports[(index - 1) % #ports + 1]
    thread.addr = wrk.lookup(wrk.host, port)[1]
    thread:set("port", port)
  end
  thread:set("id", tostring(math.random(1, 1000000)))
  -- wrk calls the first thread's request() once before the run, to check the request it makes.
  if index == 1 then thread:set("unsent", 1) end
end

function done(summary, latency, requests)
  for index, thread in ipairs(threads) do
    io.write(string.format("scaleout thread=%d port=%s sent=%d answered_2xx=%d answered_other=%d drain_sent=%d drain_2xx=%d\n",
      index, tostring(thread:get("port")), thread:get("sent") or 0, thread:get("answered_2xx") or 0,
      thread:get("answered_other") or 0, thread:get("drain_sent") or 0, thread:get("drain_2xx") or 0))
  end
end

if mode == "write" then
  local field = os.getenv("SPEGLA_FIELD")
  local write_seconds = tonumber(os.getenv("SPEGLA_WRITE_SECONDS") or "10")
  local measured_path = wrk.path
  local drain_path = string.gsub(wrk.path, "/api/instances/[0-9]+/",
    "/api/instances/" .. (os.getenv("SPEGLA_DRAIN_INSTANCE") or "0") .. "/")
  local measured_prefix = '{"instance":' .. string.match(wrk.path, "/api/instances/([0-9]+)/") .. ","

  -- A monotonic clock (LuaJIT's FFI); os.time's whole seconds where there is none.
  local now = os.time
  local has_ffi, ffi = pcall(require, "ffi")
  if has_ffi then
    ffi.cdef [[
      typedef struct { long tv_sec; long tv_nsec; } spegla_timespec;
      int clock_gettime(int clock, spegla_timespec* time);
    ]]
    local time = ffi.new("spegla_timespec")
    now = function()
      ffi.C.clock_gettime(1, time)  -- CLOCK_MONOTONIC
      return tonumber(time.tv_sec) + tonumber(time.tv_nsec) * 1e-9
    end
  end

  wrk.method = "PATCH"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["If-Match"] = "*"
  local counter = 0
  local prefix = "0"
  local started = 0
  sent, answered_2xx, answered_other, drain_sent, drain_2xx = 0, 0, 0, 0, 0

  function init(args)
    prefix = id or prefix
    started = now()
  end

  function request()
    if unsent == 1 then
      unsent = 0
      return wrk.format(nil, drain_path, nil, "{}")
    end
    counter = counter + 1
    local body = '{"fields":{"' .. field .. '":"Mätning ' .. prefix .. "-" .. counter .. '"}}'
    if now() - started < write_seconds then
      sent = sent + 1
      return wrk.format(nil, measured_path, nil, body)
    end
    drain_sent = drain_sent + 1
    return wrk.format(nil, drain_path, nil, body)
  end

  function response(status, headers, body)
    local ok = status >= 200 and status < 300
    if string.sub(body, 1, #measured_prefix) == measured_prefix then
      if ok then answered_2xx = answered_2xx + 1 else answered_other = answered_other + 1 end
    elseif ok then
      drain_2xx = drain_2xx + 1
    end
  end
end
