// Debian's libhiredis-dev 0.14.1: the synchronous API only (no RESP3, no SSL, no redisConnectWithOptions).
// No feature macros (_GNU_SOURCE and the like) here: they would give this module its own versions of libc types
// such as fd_set, clashing with Swift's Glibc module in clean builds.
#ifndef CACHELAYER_CHIREDIS_SHIM_H
#define CACHELAYER_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

/// Names the calling thread (shown by top -H and debuggers); Linux keeps the first 15 bytes.
static inline void cachelayer_set_thread_name(const char *name) {
#if defined(__linux__)
    prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
#else
    (void)name;
#endif
}

/// Tells the processor the calling thread is spinning on a value another thread will change (x86 `pause`, ARM
/// `yield`): cheaper for the sibling hyperthread and the memory system than a bare loop, and no system call.
static inline void cachelayer_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

#endif
