// See include/CRedisAdmin.h.
#define _GNU_SOURCE
#include "CRedisAdmin.h"

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_error(char *error, size_t error_size, const char *format, ...) {
    if (error == NULL || error_size == 0) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error, error_size, format, arguments);
    va_end(arguments);
}

void *cra_connect(const char *host, int port, const char *path, int timeout_ms, char *error, size_t error_size) {
    struct timeval timeout = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    redisContext *context = path != NULL ? redisConnectUnixWithTimeout(path, timeout)
                                         : redisConnectWithTimeout(host, port, timeout);
    if (context == NULL) {
        set_error(error, error_size, "cannot allocate a hiredis context");
        return NULL;
    }
    if (context->err) {
        if (path != NULL) {
            set_error(error, error_size, "cannot connect to %s: %s", path, context->errstr);
        } else {
            set_error(error, error_size, "cannot connect to %s:%d: %s", host, port, context->errstr);
        }
        redisFree(context);
        return NULL;
    }
    redisSetTimeout(context, timeout);
    return context;
}

/// Appends `length` bytes and a newline to a growing buffer. Returns 0, or -1 when out of memory.
static int append_line(char **buffer, size_t *used, size_t *capacity, const char *bytes, size_t length) {
    if (*used + length + 2 > *capacity) {
        size_t wanted = (*used + length + 2) * 2;
        char *grown = realloc(*buffer, wanted);
        if (grown == NULL) return -1;
        *buffer = grown;
        *capacity = wanted;
    }
    memcpy(*buffer + *used, bytes, length);
    *used += length;
    (*buffer)[(*used)++] = '\n';
    (*buffer)[*used] = 0;
    return 0;
}

static char *copy_text(const char *bytes, size_t length) {
    char *text = malloc(length + 1);
    if (text == NULL) return NULL;
    memcpy(text, bytes, length);
    text[length] = 0;
    return text;
}

int cra_command(void *connection, int argc, const char **argv, const size_t *lengths, char **text,
                size_t *text_length, long long *integer, char *error, size_t error_size) {
    redisContext *context = connection;
    *text = NULL;
    *text_length = 0;
    *integer = 0;
    redisReply *reply = redisCommandArgv(context, argc, argv, lengths);
    if (reply == NULL) {
        set_error(error, error_size, "%s", context->errstr[0] ? context->errstr : "no reply");
        return -1;
    }
    int kind;
    switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        kind = CRA_REPLY_STRING;
        *text = copy_text(reply->str, (size_t)reply->len);
        *text_length = (size_t)reply->len;
        break;
    case REDIS_REPLY_ERROR:
        kind = CRA_REPLY_ERROR;
        *text = copy_text(reply->str, (size_t)reply->len);
        *text_length = (size_t)reply->len;
        break;
    case REDIS_REPLY_INTEGER:
        kind = CRA_REPLY_INTEGER;
        *integer = reply->integer;
        break;
    case REDIS_REPLY_ARRAY: {
        kind = CRA_REPLY_ARRAY;
        size_t used = 0, capacity = 0;
        char *buffer = NULL;
        // Nested arrays (SCAN's [cursor, [keys...]]) are flattened one level: cursor line, then one line per key.
        for (size_t index = 0; index < reply->elements; index++) {
            redisReply *element = reply->element[index];
            if (element->type == REDIS_REPLY_ARRAY) {
                for (size_t inner = 0; inner < element->elements; inner++) {
                    redisReply *item = element->element[inner];
                    if (item->type == REDIS_REPLY_STRING || item->type == REDIS_REPLY_STATUS) {
                        if (append_line(&buffer, &used, &capacity, item->str, (size_t)item->len) != 0) kind = -1;
                    }
                }
            } else if (element->type == REDIS_REPLY_INTEGER) {
                char number[32];
                int length = snprintf(number, sizeof number, "%lld", element->integer);
                if (append_line(&buffer, &used, &capacity, number, (size_t)length) != 0) kind = -1;
            } else if (element->type == REDIS_REPLY_STRING || element->type == REDIS_REPLY_STATUS) {
                if (append_line(&buffer, &used, &capacity, element->str, (size_t)element->len) != 0) kind = -1;
            } else {
                if (append_line(&buffer, &used, &capacity, "", 0) != 0) kind = -1;
            }
        }
        if (kind == -1) {
            free(buffer);
            set_error(error, error_size, "out of memory reading an array reply");
            freeReplyObject(reply);
            return -1;
        }
        *text = buffer;
        *text_length = used;
        break;
    }
    default:
        kind = CRA_REPLY_NIL;
        break;
    }
    freeReplyObject(reply);
    return kind;
}

void cra_free_text(char *text) { free(text); }

void cra_disconnect(void *connection) {
    if (connection != NULL) redisFree((redisContext *)connection);
}
