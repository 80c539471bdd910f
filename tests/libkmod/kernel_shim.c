/* kernel_shim.so: an LD_PRELOAD stand-in for the kernel's module syscalls, so kmod's libkmod and
 * modkit's can be compared on insert, remove and probe without loading anything. It catches
 * finit_module, init_module and delete_module whichever way a library calls them (syscall(2)
 * or glibc's init_module/delete_module symbols), appends one line per call to $KMOD_SHIM_LOG
 * (the size of the file behind the descriptor, the image's length and FNV-1a hash, the parameters
 * and flags), and answers:
 *   - an insert whose parameters contain "shim_errno=N" fails with errno N;
 *   - finit_module fails with ENOSYS when $KMOD_SHIM_NO_FINIT is set (the init_module path);
 *   - delete_module of NAME fails with N when $KMOD_SHIM_FAIL holds "NAME:N" (comma-separated);
 *   - everything else succeeds. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void shim_log(const char* fmt, ...) {
    const char* path = getenv("KMOD_SHIM_LOG");
    char line[8192];
    va_list ap;
    int fd, n;
    if (path == NULL) return;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (n >= (int)sizeof(line)) n = (int)sizeof(line) - 1;
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    if (write(fd, line, (size_t)n) < 0) { /* nothing to do */
    }
    close(fd);
}

static int param_errno(const char* params) {
    const char* p = params ? strstr(params, "shim_errno=") : NULL;
    return p ? atoi(p + strlen("shim_errno=")) : 0;
}

static long fail(int err) {
    errno = err;
    return -1;
}

static long shim_finit(int fd, const char* params, int flags) {
    struct stat st;
    int err = param_errno(params);
    if (fstat(fd, &st) < 0) st.st_size = -1;
    shim_log("finit_module size=%lld flags=%d params=[%s]\n", (long long)st.st_size, flags,
             params ? params : "(null)");
    if (getenv("KMOD_SHIM_NO_FINIT")) return fail(ENOSYS);
    return err ? fail(err) : 0;
}

static long shim_init(const void* image, unsigned long len, const char* params) {
    uint64_t hash = 1469598103934665603ULL;
    const unsigned char* p = image;
    unsigned long i;
    int err = param_errno(params);
    for (i = 0; i < len; i++)
        hash = (hash ^ p[i]) * 1099511628211ULL;
    shim_log("init_module len=%lu fnv=%016llx params=[%s]\n", len, (unsigned long long)hash,
             params ? params : "(null)");
    return err ? fail(err) : 0;
}

static long shim_delete(const char* name, unsigned flags) {
    const char* list = getenv("KMOD_SHIM_FAIL");
    size_t len = strlen(name);
    shim_log("delete_module %s flags=0x%x\n", name, flags);
    while (list && *list) {
        if (strncmp(list, name, len) == 0 && list[len] == ':') return fail(atoi(list + len + 1));
        list = strchr(list, ',');
        if (list) list++;
    }
    return 0;
}

long syscall(long number, ...) {
    long a[6];
    va_list ap;
    int i;
    va_start(ap, number);
    for (i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    switch (number) {
    case SYS_finit_module:
        return shim_finit((int)a[0], (const char*)a[1], (int)a[2]);
    case SYS_init_module:
        return shim_init((const void*)a[0], (unsigned long)a[1], (const char*)a[2]);
    case SYS_delete_module:
        return shim_delete((const char*)a[0], (unsigned)a[1]);
    default: {
        long (*real)(long, ...) = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
        return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    }
}

long init_module(const void* image, unsigned long len, const char* params) {
    return shim_init(image, len, params);
}

long delete_module(const char* name, unsigned int flags) {
    return shim_delete(name, flags);
}
