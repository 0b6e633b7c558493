// A small blocking hiredis connection for the hit-rate tool's administrative commands (CONFIG GET/SET, INFO,
// DBSIZE, SCAN): the parts of Redis the cache backend deliberately does not expose. Debian's libhiredis-dev 0.14.1.
//
// Every call blocks the calling thread (bounded by the timeouts given to cra_connect); the Swift side calls them
// from a thread of its own, never from Swift's cooperative pool.
#ifndef CREDIS_ADMIN_H
#define CREDIS_ADMIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The kinds of reply cra_command reports.
enum {
    CRA_REPLY_STRING = 1,   // a bulk string or a status (+OK); the text is in `text`
    CRA_REPLY_INTEGER = 2,  // `integer`
    CRA_REPLY_NIL = 3,
    CRA_REPLY_ARRAY = 4,    // the elements' texts (strings or integers), one per line, in `text`
    CRA_REPLY_ERROR = 5,    // an error reply (-ERR ...); the message is in `text`
};

/// Connects over TCP (`path` NULL) or to a unix socket (`path` set, `host` ignored). Returns an opaque connection,
/// or NULL with a message in `error`. Connect and command timeouts are in milliseconds.
void *cra_connect(const char *host, int port, const char *path, int timeout_ms, char *error, size_t error_size);

/// Sends one command (binary-safe argv) and reads its reply. Returns the reply kind, or -1 when the connection
/// failed (message in `error`; the connection is unusable afterwards). `*text` is malloc'd (free it with
/// cra_free_text) and NUL-terminated, or NULL when the reply has no text.
int cra_command(void *connection, int argc, const char **argv, const size_t *lengths, char **text,
                size_t *text_length, long long *integer, char *error, size_t error_size);

/// Frees a text returned by cra_command.
void cra_free_text(char *text);

/// Closes the connection.
void cra_disconnect(void *connection);

#ifdef __cplusplus
}
#endif

#endif
