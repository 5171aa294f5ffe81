-- The query mix for wrk (benchmarks/run.py --client wrk): each request a form-encoded POST of
-- the next text of the mix, as the Python clients send it; with NONCE set, each text made distinct
-- by a trailing "# nonce N" comment. The run ends when a thread has its share of TOTAL answers,
-- so a measurement sends about as many requests as the Python clients do; done() prints one
-- JSON line.
--
-- Environment: MIX (a file of form bodies, one per line), TOTAL (answers in all), THREADS (wrk's
-- -t), NONCE (first nonce; unset: the texts repeat as they are).

local bodies = {}
for line in io.lines(os.getenv("MIX")) do
  bodies[#bodies + 1] = line
end
local total, threads = tonumber(os.getenv("TOTAL")), tonumber(os.getenv("THREADS"))
local nonce = tonumber(os.getenv("NONCE") or "")
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Accept"] = "application/sparql-results+json, application/n-triples;q=0.9",
  ["Accept-Encoding"] = "gzip, deflate",  -- as the Python clients ask
}

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
  return wrk.format("POST", nil, headers, body)
end

-- An answer of any status counts towards the share (done() reports those not 2xx/3xx). wrk's
-- main thread sleeps for the whole -d, whatever its threads do, unless SIGINT ends the run
-- early: the first thread to have its share has that sent. Not from system()'s own shell (wrk
-- ignores SIGINT until system() returns) but from one left behind; every thread goes on sending
-- until wrk's next 100 ms tick, its answers counted in the run's time.
function response(status, headers, body)
  answered = answered + 1
  if answered == share then
    os.execute("(sleep 0.01; kill -INT $PPID) &")  -- $PPID: the parent of system()'s shell, wrk
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
