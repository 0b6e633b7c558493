// The floor for the Redis backend's throughput: plain hiredis (Debian's libhiredis-dev 0.14.1) from C, with no
// Swift, no threads and no queues. Used by the RedisThroughput tool (Sources/RedisThroughput).
//
// Keys are `key_prefix` followed by the decimal index (0 ..< key_count); operation i uses key i % key_count and,
// for SET, the value `values + (i % key_count) * value_size`. Keys and argument arrays are built before the clock
// starts. Every command goes through the binary-safe redisAppendCommandArgv / redisCommandArgv (never the
// format-string redisCommand). A GET whose reply is not exactly the expected value counts as a mismatch.
//
// Each loop connects (TCP, no AUTH/SELECT), runs, disconnects, and returns the elapsed wall-clock nanoseconds of
// the measured part (CLOCK_MONOTONIC), or a negative number on any error (`error`, when not NULL, gets a message).
#ifndef CHIREDIS_BASELINE_H
#define CHIREDIS_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// CLOCK_MONOTONIC in nanoseconds.
uint64_t chb_now_ns(void);

/// Blocking, one command at a time: GET per operation. `latencies_ns` (at least `ops` entries) gets each
/// operation's own round-trip time.
int64_t chb_get_sequential(const char *host, int port, const char *key_prefix, int key_count,
                           const uint8_t *values, size_t value_size, int ops,
                           int64_t *latencies_ns, int64_t *mismatches, char *error, size_t error_size);

/// Blocking, one command at a time: SET key value per operation (no expiry).
int64_t chb_set_sequential(const char *host, int port, const char *key_prefix, int key_count,
                           const uint8_t *values, size_t value_size, int ops,
                           int64_t *latencies_ns, char *error, size_t error_size);

/// Pipelined: `depth` redisAppendCommandArgv, then `depth` redisGetReply, until `ops` GETs are done.
int64_t chb_get_pipelined(const char *host, int port, const char *key_prefix, int key_count,
                          const uint8_t *values, size_t value_size, int ops, int depth,
                          int64_t *mismatches, char *error, size_t error_size);

/// Pipelined SETs, as chb_get_pipelined. Also used to fill the keys before the measurements.
int64_t chb_set_pipelined(const char *host, int port, const char *key_prefix, int key_count,
                          const uint8_t *values, size_t value_size, int ops, int depth,
                          char *error, size_t error_size);

/// Deletes keys 0 ..< key_count (pipelined DEL). Returns how many existed, or a negative number on error.
int64_t chb_delete_keys(const char *host, int port, const char *key_prefix, int key_count,
                        char *error, size_t error_size);

/// Writes the server's `redis_version` (from INFO server) into `version`. Returns 0, or -1 on error.
int chb_server_version(const char *host, int port, char *version, size_t version_size, char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif
