-- wrk script: POST /api/v1/purchases with a unique order reference and a random member.
local threads = 0
local counter = 0
local members = tonumber(os.getenv("BENCH_MEMBERS") or "100000")
local token = os.getenv("BENCH_TOKEN") or ""
local run = os.getenv("BENCH_RUN") or "run"

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  math.randomseed(os.time() * 100 + tid)
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"member":"3%09d","order_ref":"%s-%d-%d","amount_cents":%d}',
    math.random(1, members), run, tid, counter, math.random(100, 50000))
  return wrk.format("POST", "/api/v1/purchases",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
