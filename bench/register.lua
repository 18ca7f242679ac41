-- wrk script for bench/registrations.py: each request registers a new email address.
-- Usage: wrk -t1 -c16 -d10s -s bench/register.lua URL -- <prefix>
-- Prints one line "statuses <code>=<count> ..." at the end.
counter = 0
statuses = {}  -- global: done() reads it from each thread
prefix = "w"

function init(args)
  prefix = args[1] or prefix
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"given_name":"Bench %d","family_name":"Mark","email":"%s-%d@example.org","economy":"NZ"}',
    counter, prefix, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      total[code] = (total[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(total) do
    table.insert(parts, code .. "=" .. n)
  end
  table.sort(parts)
  io.write(string.format("statuses %s\n", table.concat(parts, " ")))
  io.write(string.format("p50_ms %.1f p99_ms %.1f\n", latency:percentile(50) / 1000,
                         latency:percentile(99) / 1000))
end
