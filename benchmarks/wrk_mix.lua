-- The query mix for wrk (benchmarks/run.py --client wrk): each request a form-encoded POST of
-- the next text of the mix, as the Python clients send it; with NONCE set, each text made distinct
-- by a trailing "# nonce N" comment. The run ends when a thread has its share of TOTAL answers,
-- so a measurement sends about as many requests as the Python clients do; done() prints one
-- JSON line.
--
-- Environment: MIX (a file of form bodies, one per line), TOTAL (answers in all), THREADS (wrk's
-- -t), NONCE (first nonce; unset: the texts repeat as they are), METHOD (POST, the default, or
-- GET: the form body sent as the URL's query string).

local bodies = {}
for line in io.lines(os.getenv("MIX")) do
  bodies[#bodies + 1] = line
end
local total, threads = tonumber(os.getenv("TOTAL")), tonumber(os.getenv("THREADS"))
local nonce = tonumber(os.getenv("NONCE") or "")
local get = os.getenv("METHOD") == "GET"
local headers = {
  ["Accept"] = "application/sparql-results+json, application/n-triples;q=0.9",
  ["Accept-Encoding"] = "gzip, deflate",  -- as the Python clients ask
}
if not get then
  headers["Content-Type"] = "application/x-www-form-urlencoded"
end

-- setup runs in the main state, once per thread: number the threads
local numbered = 0
function setup(thread)
  thread:set("id", numbered)
  numbered = numbered + 1
end

local id, share, sent, answered = 0, 0, 0, 0
function init(args)
  id = wrk.thread:get("id")
  share = math.floor(total / threads) + ((id < total % threads) and 1 or 0)
end

function request()
  local body = bodies[sent % #bodies + 1]
  if nonce then
    -- distinct across threads: thread i numbers i, i + threads, i + 2 * threads, ...
    body = body .. "%0A%23+nonce+" .. string.format("%d", nonce + id + sent * threads)
  end
  sent = sent + 1
  if get then
    return wrk.format("GET", wrk.path .. "?" .. body, headers)
  end
  return wrk.format("POST", nil, headers, body)
end

-- An answer of any status counts towards the share (done() reports those not 2xx/3xx). wrk's
-- main thread sleeps for the whole -d, whatever its threads do, unless SIGINT ends the run
-- early: the first thread to have its share has that sent. Not from system()'s own shell (wrk
-- ignores SIGINT until system() returns) but from one left behind; every thread goes on sending
-- until wrk's next 100 ms tick, its answers counted in the run's time. Sent again until wrk is
-- gone: one SIGINT can be lost (sent before system() returned, or taken by a sending thread,
-- which then stops while the main thread sleeps on: seen once, a benchmark hung for minutes).
function response(status, headers, body)
  answered = answered + 1
  if answered == share then
    -- $PPID: the parent of system()'s shell, wrk, while it is wrk and not exited (a number
    -- reused is never signalled; nor is an exited wrk its parent has yet to collect, which it
    -- does once wrk's output ends: so the loop holds none of that output open either)
    os.execute("(while sleep 0.01 && [ \"$(cat /proc/$PPID/comm 2>/dev/null)\" = wrk ] "
               .. "&& ! grep -q '^State:.Z' /proc/$PPID/status; do kill -INT $PPID; sleep 0.5; done) "
               .. ">/dev/null 2>&1 &")
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'wrk-result {"responses": %d, "status_errors": %d, "socket_errors": %d, "seconds": %.6f, '
    .. '"p50_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3))
end
