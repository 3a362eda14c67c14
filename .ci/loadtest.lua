-- wrk script for .ci/loadtest.sh: a realistic mix of Versa's pages.
--
--   wrk ... -s .ci/loadtest.lua URL -- PATHS_FILE
--
-- PATHS_FILE has one "kind path" per line (kind: compare, topic, system,
-- article, search, static, other). Each request picks a kind by the weights
-- below, then a path of that kind at random. Every response's status is
-- counted; done() prints them with wrk's totals as "key value" lines that
-- loadtest.sh reads.

local weights = {
  compare = 30, -- side-by-side tables, filtered views and exports
  topic   = 12,
  system  = 10,
  article = 10,
  search  = 18, -- pages and API, with filters
  static  = 15, -- hashed css, js and icon
  other   = 5,  -- home, article list, feed, sitemap, API
}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = args[1] or error("loadtest.lua: no paths file")
  paths, kinds, total = {}, {}, 0
  for line in io.lines(file) do
    local kind, path = line:match("^(%S+)%s+(%S+)$")
    if kind and weights[kind] then
      if not paths[kind] then
        paths[kind] = {}
        table.insert(kinds, kind)
        total = total + weights[kind]
      end
      table.insert(paths[kind], path)
    end
  end
  if total == 0 then error("loadtest.lua: no paths in " .. file) end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  statuses = {}
  -- What browsers send: compressed pages, and revalidation is left out
  -- (every request is a fresh view).
  wrk.headers["Accept-Encoding"] = "gzip"
  wrk.headers["User-Agent"] = "versa-loadtest"
end

function request()
  local r = math.random() * total
  local kind = kinds[#kinds]
  for _, k in ipairs(kinds) do
    r = r - weights[k]
    if r <= 0 then kind = k break end
  end
  local list = paths[kind]
  return wrk.format("GET", list[math.random(#list)])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do
      all[status] = (all[status] or 0) + n
    end
  end
  local e = summary.errors
  io.write("--- loadtest summary\n")
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("seconds %.1f\n", summary.duration / 1e6))
  io.write(string.format("rps %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("mb_per_s %.2f\n", summary.bytes / (summary.duration / 1e6) / 1048576))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%s_ms %.2f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max_ms %.2f\n", latency.max / 1000))
  io.write(string.format("mean_ms %.2f\n", latency.mean / 1000))
  io.write(string.format("socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("socket_errors_detail connect=%d,read=%d,write=%d,timeout=%d\n", e.connect, e.read, e.write, e.timeout))
  local failed = 0
  for status, n in pairs(all) do
    io.write(string.format("status_%d %d\n", status, n))
    if status < 200 or status >= 400 then failed = failed + n end
  end
  io.write(string.format("failed_status %d\n", failed))
end
