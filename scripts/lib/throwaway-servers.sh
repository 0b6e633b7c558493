# Installs what the Redis tests and benchmarks need, then starts a throwaway redis-server and a throwaway Redis
# Cluster on free loopback ports, both stopped when the shell exits. Source this file (from the repository root),
# then:
#   start_throwaway_servers   # sets REDIS_PORT and REDIS_CLUSTER_URLS (see redis-server.sh, redis-cluster.sh)
source scripts/lib/system-packages.sh
source scripts/lib/redis-server.sh
source scripts/lib/redis-cluster.sh

start_throwaway_servers() {
    require_packages libhiredis-dev:/usr/include/hiredis/hiredis.h redis-server:/usr/bin/redis-server redis-tools:/usr/bin/redis-cli
    start_throwaway_redis
    trap 'stop_throwaway_redis_cluster; stop_throwaway_redis' EXIT
    start_throwaway_redis_cluster
}
