-- wrk script of bench/run.py.
-- Arguments (after `--`): mode cap [bodies_file token key_prefix order_base [path]]
--   mode "get":  GET the URL's path (the floor, /healthz)
--   mode "post": POST /api/v1/complaints with the JSON bodies of bodies_file (one a line),
--                each with a fresh order number in place of @ORDER@, as a bearer token;
--                key_prefix "-" sends no Idempotency-Key, anything else a unique key each;
--                path, when given, is POSTed to instead (the ladder's rungs).
-- Each thread stops after `cap` responses; wrk's -d bounds the time.
-- done() prints one "BENCH_THREAD id ok bad first_error" line per thread.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  cap = tonumber(args[2])
  ok, bad, sent = 0, 0, 0
  first_error = ""
  if mode == "post" then
    bodies = {}
    for line in io.lines(args[3]) do
      table.insert(bodies, line)
    end
    token = args[4]
    key_prefix = args[5]
    order_base = tonumber(args[6]) + tid * 100000
    post_path = args[7] or "/api/v1/complaints"
  end
end

function request()
  sent = sent + 1
  if mode == "get" then
    return wrk.format("GET")
  end
  local i = (sent % #bodies) + 1
  local order = string.format("SO%08d", order_base + sent)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }
  if key_prefix ~= "-" then
    headers["Idempotency-Key"] = key_prefix .. "-" .. tid .. "-" .. sent
  end
  local body = string.gsub(bodies[i], "@ORDER@", order)
  return wrk.format("POST", post_path, headers, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    bad = bad + 1
    if first_error == "" then
      first_error = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
  if ok + bad >= cap then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    local err = t:get("first_error") or ""
    err = string.gsub(err, "[\r\n]", " ")
    io.write(string.format("BENCH_THREAD %d %d %d %s\n", t:get("tid"), t:get("ok"), t:get("bad"), err))
  end
end
