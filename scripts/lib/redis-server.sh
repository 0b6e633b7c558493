# Starts a throwaway redis-server on a free loopback port. Source this file, then:
#   start_throwaway_redis    # sets REDIS_PORT, REDIS_DIR; stops the server when the shell exits

free_loopback_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop_throwaway_redis() {
    if [ -n "${REDIS_PID:-}" ] && kill -0 "$REDIS_PID" 2>/dev/null; then
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    [ -n "${REDIS_DIR:-}" ] && rm -rf "$REDIS_DIR"
}

start_throwaway_redis() {
    REDIS_DIR="$(mktemp -d)"
    REDIS_PORT="$(free_loopback_port)"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" \
        --save '' --appendonly no --protected-mode yes --logfile "$REDIS_DIR/redis.log" &
    REDIS_PID=$!
    trap stop_throwaway_redis EXIT
    for _ in $(seq 1 100); do
        if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; then
            echo "redis-server $(redis-server --version | grep -oE 'v=[0-9.]+') on 127.0.0.1:$REDIS_PORT" >&2
            return 0
        fi
        sleep 0.1
    done
    echo "error: redis-server did not start on 127.0.0.1:$REDIS_PORT" >&2
    cat "$REDIS_DIR/redis.log" >&2 || true
    return 1
}
