// See include/CHiredisBaseline.h.
#define _GNU_SOURCE
#include "CHiredisBaseline.h"

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t chb_now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static void set_error(char *error, size_t error_size, const char *format, ...) {
    if (error == NULL || error_size == 0) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error, error_size, format, arguments);
    va_end(arguments);
}

static redisContext *connect_to(const char *host, int port, char *error, size_t error_size) {
    struct timeval connect_timeout = {2, 0};
    redisContext *context = redisConnectWithTimeout(host, port, connect_timeout);
    if (context == NULL) {
        set_error(error, error_size, "cannot allocate a hiredis context");
        return NULL;
    }
    if (context->err) {
        set_error(error, error_size, "cannot connect to %s:%d: %s", host, port, context->errstr);
        redisFree(context);
        return NULL;
    }
    // Bounded: a stuck server fails the run instead of hanging it.
    struct timeval command_timeout = {5, 0};
    redisSetTimeout(context, command_timeout);
    return context;
}

/// All keys in one buffer: `key_prefix` + decimal index.
typedef struct {
    char *storage;
    const char **pointers;
    size_t *lengths;
} Keys;

static int make_keys(Keys *keys, const char *key_prefix, int key_count) {
    size_t prefix_length = strlen(key_prefix);
    size_t stride = prefix_length + 12;
    keys->storage = malloc(stride * (size_t)key_count);
    keys->pointers = malloc(sizeof(char *) * (size_t)key_count);
    keys->lengths = malloc(sizeof(size_t) * (size_t)key_count);
    if (keys->storage == NULL || keys->pointers == NULL || keys->lengths == NULL) return -1;
    for (int index = 0; index < key_count; index++) {
        char *key = keys->storage + stride * (size_t)index;
        int length = snprintf(key, stride, "%s%d", key_prefix, index);
        keys->pointers[index] = key;
        keys->lengths[index] = (size_t)length;
    }
    return 0;
}

static void free_keys(Keys *keys) {
    free(keys->storage);
    free(keys->pointers);
    free(keys->lengths);
}

static int is_expected_value(const redisReply *reply, const uint8_t *expected, size_t value_size) {
    return reply->type == REDIS_REPLY_STRING && (size_t)reply->len == value_size
        && memcmp(reply->str, expected, value_size) == 0;
}

static int64_t sequential(int is_get, const char *host, int port, const char *key_prefix, int key_count,
                          const uint8_t *values, size_t value_size, int ops, int64_t *latencies_ns,
                          int64_t *mismatches, char *error, size_t error_size) {
    if (key_count <= 0 || ops < 0) {
        set_error(error, error_size, "bad arguments");
        return -1;
    }
    Keys keys;
    if (make_keys(&keys, key_prefix, key_count) != 0) {
        set_error(error, error_size, "out of memory");
        return -1;
    }
    redisContext *context = connect_to(host, port, error, error_size);
    if (context == NULL) {
        free_keys(&keys);
        return -1;
    }
    const char *arguments[3] = {is_get ? "GET" : "SET", NULL, NULL};
    size_t lengths[3] = {3, 0, value_size};
    int argument_count = is_get ? 2 : 3;
    int64_t bad = 0;
    int64_t result = 0;

    uint64_t start = chb_now_ns();
    for (int op = 0; op < ops; op++) {
        int index = op % key_count;
        arguments[1] = keys.pointers[index];
        lengths[1] = keys.lengths[index];
        arguments[2] = (const char *)(values + (size_t)index * value_size);
        uint64_t before = chb_now_ns();
        redisReply *reply = redisCommandArgv(context, argument_count, arguments, lengths);
        uint64_t after = chb_now_ns();
        if (reply == NULL) {
            set_error(error, error_size, "%s failed: %s", arguments[0], context->errstr);
            result = -1;
            break;
        }
        if (latencies_ns != NULL) latencies_ns[op] = (int64_t)(after - before);
        if (is_get) {
            if (!is_expected_value(reply, values + (size_t)index * value_size, value_size)) bad++;
        } else if (reply->type != REDIS_REPLY_STATUS) {
            bad++;
        }
        freeReplyObject(reply);
    }
    uint64_t end = chb_now_ns();

    redisFree(context);
    free_keys(&keys);
    if (mismatches != NULL) *mismatches = bad;
    if (result < 0) return result;
    if (!is_get && bad > 0) {
        set_error(error, error_size, "%lld SETs did not answer OK", (long long)bad);
        return -1;
    }
    return (int64_t)(end - start);
}

int64_t chb_get_sequential(const char *host, int port, const char *key_prefix, int key_count,
                           const uint8_t *values, size_t value_size, int ops,
                           int64_t *latencies_ns, int64_t *mismatches, char *error, size_t error_size) {
    return sequential(1, host, port, key_prefix, key_count, values, value_size, ops, latencies_ns, mismatches,
                      error, error_size);
}

int64_t chb_set_sequential(const char *host, int port, const char *key_prefix, int key_count,
                           const uint8_t *values, size_t value_size, int ops,
                           int64_t *latencies_ns, char *error, size_t error_size) {
    return sequential(0, host, port, key_prefix, key_count, values, value_size, ops, latencies_ns, NULL, error,
                      error_size);
}

/// `kind`: 0 GET, 1 SET, 2 DEL. For DEL, `*mismatches` gets the number of keys removed.
static int64_t pipelined(int kind, const char *host, int port, const char *key_prefix, int key_count,
                         const uint8_t *values, size_t value_size, int ops, int depth, int64_t *mismatches,
                         char *error, size_t error_size) {
    if (key_count <= 0 || ops < 0 || depth <= 0) {
        set_error(error, error_size, "bad arguments");
        return -1;
    }
    Keys keys;
    if (make_keys(&keys, key_prefix, key_count) != 0) {
        set_error(error, error_size, "out of memory");
        return -1;
    }
    redisContext *context = connect_to(host, port, error, error_size);
    if (context == NULL) {
        free_keys(&keys);
        return -1;
    }
    static const char *const names[3] = {"GET", "SET", "DEL"};
    const char *arguments[3] = {names[kind], NULL, NULL};
    size_t lengths[3] = {3, 0, value_size};
    int argument_count = kind == 1 ? 3 : 2;
    int64_t counted = 0;
    int64_t result = 0;

    uint64_t start = chb_now_ns();
    for (int first = 0; first < ops && result == 0; first += depth) {
        int batch = ops - first < depth ? ops - first : depth;
        for (int op = first; op < first + batch; op++) {
            int index = op % key_count;
            arguments[1] = keys.pointers[index];
            lengths[1] = keys.lengths[index];
            arguments[2] = (const char *)(values == NULL ? NULL : values + (size_t)index * value_size);
            if (redisAppendCommandArgv(context, argument_count, arguments, lengths) != REDIS_OK) {
                set_error(error, error_size, "redisAppendCommandArgv failed: %s", context->errstr);
                result = -1;
                break;
            }
        }
        for (int op = first; op < first + batch && result == 0; op++) {
            redisReply *reply = NULL;
            if (redisGetReply(context, (void **)&reply) != REDIS_OK || reply == NULL) {
                set_error(error, error_size, "%s failed: %s", names[kind], context->errstr);
                result = -1;
                break;
            }
            int index = op % key_count;
            switch (kind) {
            case 0:
                if (!is_expected_value(reply, values + (size_t)index * value_size, value_size)) counted++;
                break;
            case 1:
                if (reply->type != REDIS_REPLY_STATUS) counted++;
                break;
            default:
                if (reply->type == REDIS_REPLY_INTEGER) counted += reply->integer;
                break;
            }
            freeReplyObject(reply);
        }
    }
    uint64_t end = chb_now_ns();

    redisFree(context);
    free_keys(&keys);
    if (mismatches != NULL) *mismatches = counted;
    if (result < 0) return result;
    if (kind == 1 && counted > 0) {
        set_error(error, error_size, "%lld SETs did not answer OK", (long long)counted);
        return -1;
    }
    return (int64_t)(end - start);
}

int64_t chb_get_pipelined(const char *host, int port, const char *key_prefix, int key_count,
                          const uint8_t *values, size_t value_size, int ops, int depth,
                          int64_t *mismatches, char *error, size_t error_size) {
    return pipelined(0, host, port, key_prefix, key_count, values, value_size, ops, depth, mismatches, error,
                     error_size);
}

int64_t chb_set_pipelined(const char *host, int port, const char *key_prefix, int key_count,
                          const uint8_t *values, size_t value_size, int ops, int depth,
                          char *error, size_t error_size) {
    return pipelined(1, host, port, key_prefix, key_count, values, value_size, ops, depth, NULL, error, error_size);
}

int64_t chb_delete_keys(const char *host, int port, const char *key_prefix, int key_count,
                        char *error, size_t error_size) {
    int64_t removed = 0;
    int64_t elapsed = pipelined(2, host, port, key_prefix, key_count, NULL, 0, key_count, 64, &removed, error,
                                error_size);
    return elapsed < 0 ? elapsed : removed;
}

int chb_server_version(const char *host, int port, char *version, size_t version_size, char *error, size_t error_size) {
    redisContext *context = connect_to(host, port, error, error_size);
    if (context == NULL) return -1;
    const char *arguments[2] = {"INFO", "server"};
    size_t lengths[2] = {4, 6};
    redisReply *reply = redisCommandArgv(context, 2, arguments, lengths);
    int result = -1;
    if (reply == NULL) {
        set_error(error, error_size, "INFO failed: %s", context->errstr);
    } else if (reply->type != REDIS_REPLY_STRING) {
        set_error(error, error_size, "INFO answered with reply type %d", reply->type);
    } else {
        const char *found = strstr(reply->str, "redis_version:");
        if (found == NULL) {
            set_error(error, error_size, "INFO has no redis_version");
        } else {
            found += strlen("redis_version:");
            size_t length = strcspn(found, "\r\n");
            if (length >= version_size) length = version_size - 1;
            memcpy(version, found, length);
            version[length] = 0;
            result = 0;
        }
    }
    if (reply != NULL) freeReplyObject(reply);
    redisFree(context);
    return result;
}
