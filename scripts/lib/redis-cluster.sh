# Starts a throwaway Redis Cluster on loopback: six redis-server processes with cluster mode on free ports, joined
# by `redis-cli --cluster create` as three masters with one replica each (REDIS_CLUSTER_REPLICAS=0: three masters
# alone). Source this file, then:
#   start_throwaway_redis_cluster   # sets REDIS_CLUSTER_URLS, REDIS_CLUSTER_DIR
#   stop_throwaway_redis_cluster    # from an EXIT trap: stops the nodes, removes their files

# A free loopback port P below 55536 whose cluster bus port, P + 10000, is free too.
free_cluster_port() {
    python3 -c '
import random, socket
for _ in range(1000):
    port = random.randint(20000, 55000)
    sockets = []
    try:
        for candidate in (port, port + 10000):
            s = socket.socket(); sockets.append(s); s.bind(("127.0.0.1", candidate))
        print(port); break
    except OSError:
        pass
    finally:
        for s in sockets: s.close()
'
}

stop_throwaway_redis_cluster() {
    local pid
    for pid in ${REDIS_CLUSTER_PIDS:-}; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in ${REDIS_CLUSTER_PIDS:-}; do
        wait "$pid" 2>/dev/null || true
    done
    REDIS_CLUSTER_PIDS=""
    [ -n "${REDIS_CLUSTER_DIR:-}" ] && rm -rf "$REDIS_CLUSTER_DIR"
}

start_throwaway_redis_cluster() {
    REDIS_CLUSTER_DIR="$(mktemp -d)"
    REDIS_CLUSTER_PIDS=""
    local replicas="${REDIS_CLUSTER_REPLICAS:-1}"
    local ports=() addresses=() urls=() port node
    for node in $(seq 1 $((3 * (1 + replicas)))); do
        port="$(free_cluster_port)"
        mkdir -p "$REDIS_CLUSTER_DIR/$port"
        # A low node timeout makes failure detection quick (tests kill masters); no persistence.
        redis-server --bind 127.0.0.1 --port "$port" --dir "$REDIS_CLUSTER_DIR/$port" \
            --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 1000 \
            --save '' --appendonly no --protected-mode yes --logfile "$REDIS_CLUSTER_DIR/$port/redis.log" &
        REDIS_CLUSTER_PIDS="$REDIS_CLUSTER_PIDS $!"
        ports+=("$port")
        addresses+=("127.0.0.1:$port")
        urls+=("redis://127.0.0.1:$port")
    done
    for port in "${ports[@]}"; do
        for _ in $(seq 1 100); do
            [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = "PONG" ] && break
            sleep 0.1
        done
    done
    if ! redis-cli --cluster create "${addresses[@]}" --cluster-replicas "$replicas" --cluster-yes >"$REDIS_CLUSTER_DIR/create.log" 2>&1; then
        echo "error: redis-cli --cluster create failed:" >&2
        cat "$REDIS_CLUSTER_DIR/create.log" >&2
        return 1
    fi
    # Every node must agree the cluster is up (all slots covered, gossip settled) before tests use it.
    for port in "${ports[@]}"; do
        for _ in $(seq 1 200); do
            redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && break
            sleep 0.1
        done
        if ! redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; then
            echo "error: the Redis Cluster node on port $port did not reach cluster_state:ok" >&2
            return 1
        fi
    done
    REDIS_CLUSTER_URLS="$(IFS=,; echo "${urls[*]}")"
    echo "redis cluster (3 masters, $((3 * replicas)) replicas) on ${addresses[*]}" >&2
}
