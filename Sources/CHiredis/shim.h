// Debian's libhiredis-dev 0.14.1: the synchronous API only (no RESP3, no SSL, no redisConnectWithOptions).
#ifndef CACHELAYER_CHIREDIS_SHIM_H
#define CACHELAYER_CHIREDIS_SHIM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <hiredis/hiredis.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

/// Names the calling thread (shown by top -H and debuggers); Linux limits names to 15 bytes.
static inline int cachelayer_set_thread_name(const char *name) {
#if defined(__linux__)
    return pthread_setname_np(pthread_self(), name);
#else
    return pthread_setname_np(name);
#endif
}

#endif
