#!/usr/bin/env bash
# Run a command (the API and WebSocket suites) against cluster mode: a throwaway redis-server on
# a free loopback port, handed over as TEST_REDIS_URL (tests/conftest.py), stopped by its PID.
set -euo pipefail
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
TEST_REDIS_URL="redis://127.0.0.1:$port/0" "$@"
