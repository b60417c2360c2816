#!/usr/bin/env bash
# `make cluster`: redis-server, WORKERS stepwise workers and nginx, all on loopback, in the
# foreground; Ctrl-C (or TERM) stops every process this script started, by its PID.
#   WORKERS      workers to start (default: one per core)
#   PORT         where nginx serves the site (default 8000)
#   WORKER_PORT  the first worker's port; the others follow it (default 8101)
#   REDIS_PORT   (default 6390)    CLUSTER_DIR  runtime files and Redis's AOF (default .cluster)
set -euo pipefail
cd "$(dirname "$0")/.."

WORKERS=${WORKERS:-$(nproc)}
PORT=${PORT:-8000}
WORKER_PORT=${WORKER_PORT:-8101}
REDIS_PORT=${REDIS_PORT:-6390}
CLUSTER_DIR=$(realpath -m "${CLUSTER_DIR:-.cluster}")
STEPWISE=${STEPWISE:-.venv/bin/stepwise}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

mkdir -p "$CLUSTER_DIR/tmp" "$CLUSTER_DIR/redis"
pids=()
finish() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait || true
}
trap finish INT TERM EXIT

redis-server deploy/redis.conf --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$CLUSTER_DIR/redis" &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" ping >/dev/null  # still not up after 10 s: give up

# The same command as the container's: one single-process worker per port.
export STEPWISE_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
{
    echo "upstream stepwise {"
    echo "    least_conn;"
    for ((i = 0; i < WORKERS; i++)); do
        port=$((WORKER_PORT + i))
        $STEPWISE --host 127.0.0.1 --port "$port" &  # unquoted: it may be a command and its args
        pids+=($!)
        echo "    server 127.0.0.1:$port max_fails=1 fail_timeout=2s;"
    done
    echo "    keepalive 32;"
    echo "}"
} >"$CLUSTER_DIR/upstream.conf"
echo "listen 127.0.0.1:$PORT;" >"$CLUSTER_DIR/listen.conf"
cp deploy/nginx.conf "$CLUSTER_DIR/nginx.conf"

"$NGINX" -p "$CLUSTER_DIR" -c nginx.conf -e stderr -g 'daemon off;' &
pids+=($!)
echo "stepwise: $WORKERS workers behind http://127.0.0.1:$PORT (Redis on $REDIS_PORT); Ctrl-C stops"
wait -n "${pids[@]}"  # any one of them ending ends the cluster
