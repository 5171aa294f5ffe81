#!/usr/bin/env bash
# Start or stop a throw-away Virtuoso (Debian's virtuoso-opensource-7-bin) for tests and benchmarks.
#
#   scripts/virtuoso.sh start DIR PORT   # HTTP (SPARQL) on 127.0.0.1:PORT, isql on PORT+1; waits until ready
#   scripts/virtuoso.sh stop DIR         # stops the server started in DIR (PORT is accepted and ignored)
#
# Everything lives in DIR (database, log, virtuoso.ini); nothing listens beyond the loopback.
# The admin account is dba / ${VIRTUOSO_DBA_PASSWORD:-dba}: it may update through /sparql-auth
# (digest auth) and the Graph Store Protocol at /sparql-graph-crud-auth. Anonymous /sparql is
# read-only. Result sets are capped at 1,000,000 rows instead of the default 10,000.
set -euo pipefail

usage() { echo "usage: $0 start DIR PORT | stop DIR [PORT]" >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
port=${3:-}
binary=${VIRTUOSO_BIN:-$(command -v virtuoso-t || true)}
isql=${VIRTUOSO_ISQL:-$(command -v isql-vt || true)}

start() {
  [ -n "$port" ] || usage
  [ -n "$binary" ] || { echo "virtuoso.sh: virtuoso-t not found (apt-get install virtuoso-opensource-7-bin)" >&2; exit 1; }
  if [ -f "$dir/virtuoso.pid" ] && kill -0 "$(cat "$dir/virtuoso.pid")" 2>/dev/null; then
    echo "virtuoso.sh: already running in $dir (pid $(cat "$dir/virtuoso.pid"))" >&2; exit 1
  fi
  local isql_port=$((port + 1))
  mkdir -p "$dir/www"
  cat > "$dir/virtuoso.ini" <<INI
[Database]
DatabaseFile       = $dir/virtuoso.db
ErrorLogFile       = $dir/virtuoso.log
LockFile           = $dir/virtuoso.lck
TransactionFile    = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $dir/virtuoso-temp.db
TransactionFile    = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:$isql_port
LiteMode             = 0
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
O_DIRECT             = 0
CaseMode             = 2
MaxStaticCursorRows  = 5000
CheckpointAuditTrail = 0
AllowOSCalls         = 0
SchedulerInterval    = 10
DirsAllowed          = ., $dir
ThreadCleanupInterval = 0
ThreadThreshold      = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize    = 100000
SingleCPU            = 0
PrefixResultNames    = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps        = 256
MaxMemPoolSize       = 200000000
MaxQueryMem          = 1G
NumberOfBuffers      = ${VIRTUOSO_BUFFERS:-85000}
MaxDirtyBuffers      = ${VIRTUOSO_DIRTY_BUFFERS:-65000}
VADInstallDir        = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort           = 127.0.0.1:$port
ServerRoot           = $dir/www
MaxClientConnections = 8
DavRoot              = DAV
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0
TempASPXDir          = 0
DefaultMailServer    = localhost:25
ServerThreads        = 8
MaxKeepAlives        = 10
KeepAliveTimeout     = 10
MaxCachedProxyConnections = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize       = 280000
HttpPrintWarningsInOutput = 0
Charset              = UTF-8
MaintenancePage      = atomic.html
EnabledGzipContent   = 1

[AutoRepair]
BadParentLinks = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[Replication]
ServerName   = alliance-kg-test
ServerEnable = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
DefaultQuery               = SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g
DeferInferenceRulesInit    = 0
INI
  (cd "$dir" && exec "$binary" -f -c "$dir/virtuoso.ini" >"$dir/stdout.log" 2>&1) &
  echo $! > "$dir/virtuoso.pid"
  local url="http://127.0.0.1:$port/sparql?query=ASK%7B%7D"
  for _ in $(seq 1 240); do
    if ! kill -0 "$(cat "$dir/virtuoso.pid")" 2>/dev/null; then
      echo "virtuoso.sh: server exited during start; log follows" >&2
      tail -n 30 "$dir/virtuoso.log" "$dir/stdout.log" >&2 2>/dev/null || true
      exit 1
    fi
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then
      if [ -n "${VIRTUOSO_DBA_PASSWORD:-}" ] && [ "$VIRTUOSO_DBA_PASSWORD" != dba ] && [ -n "$isql" ]; then
        "$isql" "127.0.0.1:$isql_port" dba dba exec="set password dba $VIRTUOSO_DBA_PASSWORD;" >/dev/null
      fi
      echo "virtuoso.sh: ready at http://127.0.0.1:$port/sparql (pid $(cat "$dir/virtuoso.pid"))"
      exit 0
    fi
    sleep 0.5
  done
  echo "virtuoso.sh: not ready after 120 s; log follows" >&2
  tail -n 30 "$dir/virtuoso.log" >&2 || true
  stop
  exit 1
}

stop() {
  [ -f "$dir/virtuoso.pid" ] || { echo "virtuoso.sh: nothing running in $dir" >&2; return 0; }
  local pid
  pid=$(cat "$dir/virtuoso.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/virtuoso.pid" "$dir/virtuoso.lck"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
