-- The query mix for wrk (`bench/wrk.py`): each thread holds one connection and sends the
-- mix's queries in turn, starting at its own place, as the clients of `load.py` do. In mode
-- "cold" every request's text gets a first line of its own, a comment (`# request <run>-
-- <thread>-<n>`), so that no cache keyed on the text can help.
--   wrk ... -s bench/wrk_mix.lua URL -- <mix file> <cold|repeated> <first> <form of the line>
-- The mix file: a line per query, its Accept, a tab, and its form body after `query=`.

local threads_made = 0

function setup(thread)
  thread:set("thread_no", threads_made)
  threads_made = threads_made + 1
end

local FORM = "application/x-www-form-urlencoded"
local queries, made, sent = {}, {}, 0
local cold, start, line

function init(args)
  cold, start, line = args[2] == "cold", tonumber(args[3]) + thread_no, args[4]
  for text in io.lines(args[1]) do
    local accept, rest = text:match("^([^\t]*)\t(.*)$")
    queries[#queries + 1] = { accept = accept, rest = rest }
    made[#made + 1] = wrk.format("POST", nil, { Accept = accept, ["Content-Type"] = FORM },
      "query=" .. rest)
  end
end

function request()
  local i = (start + sent) % #queries + 1
  sent = sent + 1
  if not cold then
    return made[i]
  end
  local q = queries[i]
  local body = line .. thread_no .. "-" .. sent .. "%0A" .. q.rest
  return wrk.format("POST", nil, { Accept = q.accept, ["Content-Type"] = FORM }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
