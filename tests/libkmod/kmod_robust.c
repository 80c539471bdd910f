/* kmod_robust: every libkmod function with NULL and hostile arguments (empty names, names with
 * '/', a 1 MB name, entries of the wrong kind of list, lists that must be empty), printing
 * what each returns. Run against kmod's libkmod and modkit's, the output must be identical
 * (tests/compat/libkmod-robust.sh); run under valgrind and AddressSanitizer, it must be clean:
 * every object is released as libkmod documents.
 *
 * usage: kmod_robust MODULE_DIR [--v30]   (--v30: skip what kmod 30 itself crashes on) */
#define _GNU_SOURCE
#include <libkmod.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic ignored "-Wnonnull"

#define SHOW(expr) printf("%s = %ld\n", #expr, (long)(expr))
#define SHOWP(expr) printf("%s = %s\n", #expr, (expr) ? "ptr" : "NULL")
#define SHOWS(expr)                                                                                \
    do {                                                                                           \
        const char* s_ = (expr);                                                                   \
        printf("%s = %s\n", #expr, s_ ? s_ : "(null)");                                            \
    } while (0)

static void quiet_log(void* data, int prio, const char* file, int line, const char* fn,
                      const char* format, va_list args) {
    (void)data, (void)file, (void)line, (void)fn;
    printf("  log %d: ", prio);
    vprintf(format, args);
}

static void null_arguments(int v30) {
    struct kmod_list* list = NULL;
    struct kmod_module* mod = NULL;
    int (*name_lookup)(struct kmod_ctx*, const char*, struct kmod_module**) =
        (int (*)(struct kmod_ctx*, const char*, struct kmod_module**))dlsym(
            RTLD_DEFAULT, "kmod_module_new_from_name_lookup");

    SHOWP(kmod_ref(NULL));
    SHOWP(kmod_unref(NULL));
    SHOW(kmod_load_resources(NULL));
    kmod_unload_resources(NULL);
    SHOW(kmod_validate_resources(NULL));
    SHOW(kmod_dump_index(NULL, KMOD_INDEX_MODULES_DEP, 1));
    kmod_set_log_priority(NULL, 7);
    SHOW(kmod_get_log_priority(NULL));
    kmod_set_log_fn(NULL, quiet_log, NULL);
    kmod_set_userdata(NULL, NULL);
    SHOWP(kmod_get_userdata(NULL));
    if (!v30) SHOWS(kmod_get_dirname(NULL)); /* kmod 30 dereferences NULL here */
    SHOWP(kmod_list_last(NULL));
    SHOWP(kmod_list_next(NULL, NULL));
    SHOWP(kmod_list_prev(NULL, NULL));
    SHOWP(kmod_config_get_blacklists(NULL));
    SHOWP(kmod_config_get_install_commands(NULL));
    SHOWP(kmod_config_get_remove_commands(NULL));
    SHOWP(kmod_config_get_aliases(NULL));
    SHOWP(kmod_config_get_options(NULL));
    SHOWP(kmod_config_get_softdeps(NULL));
    SHOWS(kmod_config_iter_get_key(NULL));
    SHOWS(kmod_config_iter_get_value(NULL));
    SHOW(kmod_config_iter_next(NULL));
    if (!v30) kmod_config_iter_free_iter(NULL); /* kmod 30 dereferences NULL here */
    SHOW(kmod_module_new_from_lookup(NULL, "ext4", &list));
    SHOW(kmod_module_new_from_lookup(NULL, NULL, NULL));
    SHOW(name_lookup(NULL, "ext4", &mod));
    SHOW(kmod_module_new_from_name(NULL, "ext4", &mod));
    SHOW(kmod_module_new_from_path(NULL, "/x.ko", &mod));
    SHOW(kmod_module_new_from_loaded(NULL, &list));
    SHOWP(kmod_module_ref(NULL));
    SHOWP(kmod_module_unref(NULL));
    SHOW(kmod_module_unref_list(NULL));
    SHOWP(kmod_module_get_module(NULL));
    SHOW(kmod_module_insert_module(NULL, 0, NULL));
    SHOW(kmod_module_probe_insert_module(NULL, 0, NULL, NULL, NULL, NULL));
    SHOW(kmod_module_remove_module(NULL, 0));
    SHOWP(kmod_module_get_dependencies(NULL));
    SHOW(kmod_module_get_softdeps(NULL, &list, &list));
    SHOW(kmod_module_apply_filter(NULL, KMOD_FILTER_BLACKLIST, NULL, &list));
    SHOW(kmod_module_get_filtered_blacklist(NULL, NULL, &list));
    SHOWS(kmod_module_get_install_commands(NULL));
    SHOWS(kmod_module_get_remove_commands(NULL));
    SHOWS(kmod_module_get_name(NULL));
    SHOWS(kmod_module_get_options(NULL));
    SHOWS(kmod_module_get_path(NULL));
    SHOW(kmod_module_get_dependency_symbols(NULL, &list));
    SHOW(kmod_module_dependency_symbol_get_bind(NULL));
    SHOW(kmod_module_dependency_symbol_get_crc(NULL));
    SHOWS(kmod_module_dependency_symbol_get_symbol(NULL));
    kmod_module_dependency_symbols_free_list(NULL);
    SHOWP(kmod_module_get_sections(NULL));
    SHOW(kmod_module_section_get_address(NULL) == ULONG_MAX);
    SHOWS(kmod_module_section_get_name(NULL));
    kmod_module_section_free_list(NULL);
    SHOW(kmod_module_get_symbols(NULL, &list));
    SHOW(kmod_module_symbol_get_crc(NULL));
    SHOWS(kmod_module_symbol_get_symbol(NULL));
    kmod_module_symbols_free_list(NULL);
    SHOW(kmod_module_get_versions(NULL, &list));
    SHOW(kmod_module_version_get_crc(NULL));
    SHOWS(kmod_module_version_get_symbol(NULL));
    kmod_module_versions_free_list(NULL);
    SHOW(kmod_module_get_info(NULL, &list));
    SHOWS(kmod_module_info_get_key(NULL));
    SHOWS(kmod_module_info_get_value(NULL));
    kmod_module_info_free_list(NULL);
    SHOW(kmod_module_get_initstate(NULL));
    SHOWS(kmod_module_initstate_str(KMOD_MODULE_BUILTIN));
    SHOWS(kmod_module_initstate_str(KMOD_MODULE_GOING));
    SHOWS(kmod_module_initstate_str((enum kmod_module_initstate)42));
    SHOW(kmod_module_get_size(NULL));
    SHOW(kmod_module_get_refcnt(NULL));
    SHOWP(kmod_module_get_holders(NULL));
}

/* Every way of naming a module, with names nobody would choose. */
static void hostile_names(struct kmod_ctx* ctx, int v30) {
    static const char* names[] = {"",        "/",        "a/b",     "../../etc/passwd",
                                  "ext4/",   ".",        "..",      "-",
                                  "_",       "ext4.ko",  "ext-4",   "\t",
                                  " ext4",   "ext4 ",    "*",       "?",
                                  "symbol:", "symbol:*", "pci:*",   "[a-z]*",
                                  "[",       "]",        "a[b]c-d", "\xff\xfe"};
    size_t i, big_len = 1u << 20;
    char* big = malloc(big_len + 1);
    memset(big, 'a', big_len);
    big[big_len] = '\0';
    for (i = 0; i < sizeof(names) / sizeof(names[0]) + 1; i++) {
        const char* n = i < sizeof(names) / sizeof(names[0]) ? names[i] : big;
        struct kmod_list *list = NULL, *l;
        struct kmod_module* mod = NULL;
        int rc;
        printf("name #%zu (%zu bytes)\n", i, strlen(n));
        rc = kmod_module_new_from_lookup(ctx, n, &list);
        printf("  lookup rc=%d", rc);
        kmod_list_foreach(l, list) {
            struct kmod_module* m = kmod_module_get_module(l);
            printf(" %.40s", kmod_module_get_name(m));
            kmod_module_unref(m);
        }
        putchar('\n');
        kmod_module_unref_list(list);
        rc = kmod_module_new_from_name(ctx, n, &mod);
        printf("  name rc=%d name=%.40s len=%zu path=%s\n", rc,
               mod ? kmod_module_get_name(mod) : "", mod ? strlen(kmod_module_get_name(mod)) : 0,
               mod && kmod_module_get_path(mod) ? "set" : "(null)");
        /* kmod 30 overflows a stack buffer building /sys/module/<4095 bytes>/initstate (kmod 31
         * answers ENAMETOOLONG). */
        if (mod && !(v30 && strlen(n) > 4000))
            printf("  initstate=%d refcnt=%d\n", kmod_module_get_initstate(mod),
                   kmod_module_get_refcnt(mod));
        if (mod) {
            list = NULL;
            printf("  info=%d\n", kmod_module_get_info(mod, &list));
            kmod_module_info_free_list(list);
            printf("  insert=%d\n", kmod_module_insert_module(mod, 0, NULL));
            if (!(v30 && strlen(n) > 4000)) /* the probe reads initstate too */
                printf("  probe=%d\n", kmod_module_probe_insert_module(mod, KMOD_PROBE_DRY_RUN, n,
                                                                       NULL, NULL, NULL));
            kmod_module_unref(mod);
        }
        mod = NULL;
        rc = kmod_module_new_from_path(ctx, n, &mod);
        printf("  path rc=%d\n", rc);
        kmod_module_unref(mod);
    }
    free(big);
}

/* Lists that must be empty on entry, entries of the wrong kind, and the list walkers. */
static void misuse(struct kmod_ctx* ctx) {
    struct kmod_list *list = NULL, *other = NULL, *info = NULL;
    struct kmod_module* mod = NULL;
    SHOW(kmod_module_new_from_lookup(ctx, "ext4", NULL));
    SHOW(kmod_module_new_from_lookup(ctx, "ext4", &list));
    SHOW(kmod_module_new_from_lookup(ctx, "loop", &list)); /* not empty: refused */
    SHOW(kmod_module_new_from_name(ctx, "loop", &mod));
    SHOW(kmod_module_get_info(mod, &info));
    SHOWP(kmod_list_next(list, NULL));
    SHOWP(kmod_list_prev(list, list));
    SHOWP(kmod_list_last(list) == list ? list : NULL);
    SHOW(kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST | KMOD_FILTER_BUILTIN, list, &other));
    SHOW(kmod_module_apply_filter(ctx, 0, list, NULL));
    kmod_module_unref_list(other);
    kmod_module_unref_list(list);
    kmod_module_info_free_list(info);
    SHOW(kmod_dump_index(ctx, (enum kmod_index)7, 1));
    SHOW(kmod_dump_index(ctx, (enum kmod_index) - 1, 1));
    SHOW(kmod_module_remove_module(mod, 0xffffffffu));
    SHOWP(kmod_module_unref(mod));
}

int main(int argc, char** argv) {
    int v30 = argc > 2 && strcmp(argv[2], "--v30") == 0;
    const char* no_config[] = {NULL};
    struct kmod_ctx *ctx, *bad;
    if (argc < 2) {
        fprintf(stderr, "usage: kmod_robust MODULE_DIR [--v30]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    null_arguments(v30);
    bad = kmod_new("/nonexistent/dir", no_config);
    SHOWP(bad);
    SHOW(kmod_load_resources(bad));
    SHOW(kmod_validate_resources(bad));
    SHOWP(kmod_unref(bad));
    ctx = kmod_new(argv[1], no_config);
    kmod_set_log_fn(ctx, quiet_log, NULL);
    kmod_set_log_priority(ctx, 3);
    hostile_names(ctx, v30);
    SHOW(kmod_load_resources(ctx));
    hostile_names(ctx, v30);
    misuse(ctx);
    SHOWP(kmod_unref(ctx));
    return 0;
}
