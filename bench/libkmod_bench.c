/* libkmod_bench: the library workloads bench/libkmod.sh times with kmod's libkmod.so.2 and with
 * modkit's (LD_LIBRARY_PATH picks one; the program is the same binary):
 *   new N DIR          N times kmod_new + kmod_load_resources + kmod_unref
 *   lookup DIR < LIST  one context; every alias of LIST looked up, each result's dependency
 *                      list taken, everything released
 *   info DIR < LIST    one context; kmod_module_get_info for every module name of LIST
 * Each prints a count derived from the answers, so both libraries must do the whole work. */
#define _GNU_SOURCE
#include <libkmod.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* const k_no_config[] = {NULL};

static struct kmod_ctx* context(const char* dir) {
    struct kmod_ctx* ctx = kmod_new(dir, k_no_config);
    if (ctx == NULL || kmod_load_resources(ctx) < 0) {
        fprintf(stderr, "libkmod_bench: no context for %s\n", dir);
        exit(1);
    }
    return ctx;
}

static unsigned long workload_new(const char* dir, long n) {
    unsigned long ok = 0;
    for (long i = 0; i < n; i++) {
        struct kmod_ctx* ctx = kmod_new(dir, k_no_config);
        ok += ctx != NULL && kmod_load_resources(ctx) == 0;
        kmod_unref(ctx);
    }
    return ok;
}

static unsigned long workload_lookup(const char* dir) {
    struct kmod_ctx* ctx = context(dir);
    char* line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long count = 0;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        struct kmod_list *list = NULL, *l;
        if (line[len - 1] == '\n') line[len - 1] = '\0';
        if (kmod_module_new_from_lookup(ctx, line, &list) < 0) continue;
        kmod_list_foreach(l, list) {
            struct kmod_module* mod = kmod_module_get_module(l);
            struct kmod_list *deps = kmod_module_get_dependencies(mod), *d;
            count++;
            kmod_list_foreach(d, deps) count++;
            kmod_module_unref_list(deps);
            kmod_module_unref(mod);
        }
        kmod_module_unref_list(list);
    }
    free(line);
    kmod_unref(ctx);
    return count;
}

static unsigned long workload_info(const char* dir) {
    struct kmod_ctx* ctx = context(dir);
    char* line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long count = 0;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        struct kmod_module* mod = NULL;
        struct kmod_list* info = NULL;
        if (line[len - 1] == '\n') line[len - 1] = '\0';
        if (kmod_module_new_from_name(ctx, line, &mod) < 0) continue;
        int n = kmod_module_get_info(mod, &info);
        if (n > 0) count += (unsigned long)n;
        kmod_module_info_free_list(info);
        kmod_module_unref(mod);
    }
    free(line);
    kmod_unref(ctx);
    return count;
}

int main(int argc, char** argv) {
    unsigned long r;
    if (argc >= 4 && strcmp(argv[1], "new") == 0)
        r = workload_new(argv[3], atol(argv[2]));
    else if (argc >= 3 && strcmp(argv[1], "lookup") == 0)
        r = workload_lookup(argv[2]);
    else if (argc >= 3 && strcmp(argv[1], "info") == 0)
        r = workload_info(argv[2]);
    else {
        fprintf(stderr, "usage: libkmod_bench new N DIR | lookup DIR < LIST | info DIR < LIST\n");
        return 2;
    }
    printf("%lu\n", r);
    return 0;
}
