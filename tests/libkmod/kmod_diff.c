/* kmod_diff: drives libkmod's public API from a script and prints every answer as text, so one
 * binary run against kmod's libkmod.so.2 and against modkit's gives two transcripts that must be
 * byte-identical (tests/libkmod/diff.sh). Plain C against libkmod.h; the functions Debian 12's
 * libkmod lacks (weak dependencies) and the re-versioned name lookup are found with dlsym, so
 * the same binary runs on kmod 30, kmod 34.2 and modkit.
 *
 * usage: kmod_diff MODULE_DIR [CONFIG_PATH...|--no-config] < SCRIPT
 * Script lines (one command each; NAME may hold spaces only as the last field):
 *   ctx | config | resources | dump N | loaded
 *   lookup NAME | name NAME | namelookup NAME | path FILE | info NAME | state NAME
 *   probe FLAGS NAME [EXTRA_OPTIONS]    (print_action shows each step; run_install records)
 *   probesys FLAGS NAME [EXTRA_OPTIONS] (no callbacks: install commands run through system())
 *   insert FLAGS NAME [OPTIONS] | remove FLAGS NAME
 * Log messages of priority INFO and above are printed where they happen, pointers masked. */
#define _GNU_SOURCE
#include <libkmod.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

typedef int (*weakdeps_fn)(const struct kmod_module*, struct kmod_list**);
typedef struct kmod_config_iter* (*config_weakdeps_fn)(const struct kmod_ctx*);
typedef int (*name_lookup_fn)(struct kmod_ctx*, const char*, struct kmod_module**);

static weakdeps_fn p_get_weakdeps;
static config_weakdeps_fn p_config_get_weakdeps;
static name_lookup_fn p_name_lookup;

static const char* str(const char* s) {
    return s ? s : "(null)";
}

/* Prints s with every "0x<hex>" replaced by "PTR" (libkmod logs object addresses). */
static void print_masked(const char* s) {
    while (*s) {
        if (s[0] == '0' && s[1] == 'x') {
            const char* p = s + 2;
            while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
                p++;
            if (p > s + 2) {
                fputs("PTR", stdout);
                s = p;
                continue;
            }
        }
        putchar(*s++);
    }
}

static void log_fn(void* data, int priority, const char* file, int line, const char* fn,
                   const char* format, va_list args) {
    char buf[8192];
    (void)data, (void)file, (void)line, (void)fn;
    vsnprintf(buf, sizeof(buf), format, args);
    printf("  log %d: ", priority);
    print_masked(buf);
    if (buf[0] == '\0' || buf[strlen(buf) - 1] != '\n') putchar('\n');
}

static void print_module_list(const char* label, struct kmod_list* list) {
    struct kmod_list* l;
    printf("    %s:", label);
    kmod_list_foreach(l, list) {
        struct kmod_module* m = kmod_module_get_module(l);
        printf(" %s", kmod_module_get_name(m));
        kmod_module_unref(m);
    }
    putchar('\n');
}

/* Everything the configuration and the indexes say about one module object. */
static void describe(struct kmod_ctx* ctx, struct kmod_module* mod) {
    struct kmod_list *deps, *l, *pre = NULL, *post = NULL, *out = NULL, *one = NULL;
    int rc;

    printf("  mod %s\n    path %s\n", kmod_module_get_name(mod), str(kmod_module_get_path(mod)));
    printf("    options %s\n", str(kmod_module_get_options(mod)));
    printf("    install %s\n", str(kmod_module_get_install_commands(mod)));
    printf("    remove %s\n", str(kmod_module_get_remove_commands(mod)));
    deps = kmod_module_get_dependencies(mod);
    printf("    deps:");
    kmod_list_foreach(l, deps) {
        struct kmod_module* d = kmod_module_get_module(l);
        printf(" %s=%s", kmod_module_get_name(d), str(kmod_module_get_path(d)));
        kmod_module_unref(d);
    }
    putchar('\n');
    kmod_module_unref_list(deps);
    rc = kmod_module_get_softdeps(mod, &pre, &post);
    printf("    softdeps rc=%d\n", rc);
    print_module_list("pre", pre);
    print_module_list("post", post);
    kmod_module_unref_list(pre);
    kmod_module_unref_list(post);
    if (p_get_weakdeps) {
        struct kmod_list* weak = NULL;
        rc = p_get_weakdeps(mod, &weak);
        printf("    weakdeps rc=%d\n", rc);
        print_module_list("weak", weak);
        kmod_module_unref_list(weak);
    }
    /* The filters take a list: a one-entry list from a fresh lookup of the same name. */
    if (kmod_module_new_from_lookup(ctx, kmod_module_get_name(mod), &one) == 0) {
        rc = kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, one, &out);
        printf("    filter-blacklist rc=%d", rc);
        print_module_list("kept", out);
        kmod_module_unref_list(out);
        out = NULL;
        rc = kmod_module_apply_filter(ctx, KMOD_FILTER_BUILTIN, one, &out);
        printf("    filter-builtin rc=%d", rc);
        print_module_list("kept", out);
        kmod_module_unref_list(out);
        out = NULL;
        rc = kmod_module_get_filtered_blacklist(ctx, one, &out);
        printf("    filtered-blacklist rc=%d", rc);
        print_module_list("kept", out);
        kmod_module_unref_list(out);
        kmod_module_unref_list(one);
    }
}

static void cmd_lookup(struct kmod_ctx* ctx, const char* name) {
    struct kmod_list *list = NULL, *l;
    int rc = kmod_module_new_from_lookup(ctx, name, &list);
    printf("lookup %s: rc=%d\n", name, rc);
    kmod_list_foreach(l, list) {
        struct kmod_module* m = kmod_module_get_module(l);
        describe(ctx, m);
        kmod_module_unref(m);
    }
    kmod_module_unref_list(list);
}

static void print_info(struct kmod_module* mod) {
    struct kmod_list *list = NULL, *l;
    int rc = kmod_module_get_info(mod, &list);
    printf("  info rc=%d\n", rc);
    kmod_list_foreach(l, list)
        printf("    %s=%s\n", kmod_module_info_get_key(l), kmod_module_info_get_value(l));
    kmod_module_info_free_list(list);

    list = NULL;
    rc = kmod_module_get_versions(mod, &list);
    printf("  versions rc=%d\n", rc);
    kmod_list_foreach(l, list)
        printf("    0x%08llx %s\n", (unsigned long long)kmod_module_version_get_crc(l),
               kmod_module_version_get_symbol(l));
    kmod_module_versions_free_list(list);

    list = NULL;
    rc = kmod_module_get_symbols(mod, &list);
    printf("  symbols rc=%d\n", rc);
    kmod_list_foreach(l, list)
        printf("    0x%08llx %s\n", (unsigned long long)kmod_module_symbol_get_crc(l),
               kmod_module_symbol_get_symbol(l));
    kmod_module_symbols_free_list(list);

    list = NULL;
    rc = kmod_module_get_dependency_symbols(mod, &list);
    printf("  dependency symbols rc=%d\n", rc);
    kmod_list_foreach(l, list) printf(
        "    0x%08llx %c %s\n", (unsigned long long)kmod_module_dependency_symbol_get_crc(l),
        kmod_module_dependency_symbol_get_bind(l), kmod_module_dependency_symbol_get_symbol(l));
    kmod_module_dependency_symbols_free_list(list);
}

static void cmd_info(struct kmod_ctx* ctx, const char* name) {
    struct kmod_module* mod = NULL;
    int rc = p_name_lookup(ctx, name, &mod);
    printf("info %s: rc=%d found=%d\n", name, rc, mod != NULL);
    if (mod == NULL) return;
    printf("  path %s\n", str(kmod_module_get_path(mod)));
    print_info(mod);
    kmod_module_unref(mod);
}

static void cmd_state(struct kmod_ctx* ctx, const char* name) {
    struct kmod_module* mod = NULL;
    struct kmod_list *list, *l;
    int rc = kmod_module_new_from_name(ctx, name, &mod), st;
    printf("state %s: rc=%d\n", name, rc);
    if (rc < 0) return;
    st = kmod_module_get_initstate(mod);
    printf("  initstate %d %s\n", st, str(kmod_module_initstate_str(st)));
    printf("  refcnt %d\n", kmod_module_get_refcnt(mod));
    printf("  size %ld\n", kmod_module_get_size(mod));
    list = kmod_module_get_holders(mod);
    print_module_list("holders", list);
    kmod_module_unref_list(list);
    list = kmod_module_get_sections(mod);
    kmod_list_foreach(l, list) printf("    section %s 0x%lx\n", kmod_module_section_get_name(l),
                                      kmod_module_section_get_address(l));
    kmod_module_section_free_list(list);
    kmod_module_unref(mod);
}

static void print_action(struct kmod_module* m, bool install, const char* options) {
    printf("    action %s %s [%s]\n", install ? "install" : "insmod", kmod_module_get_name(m),
           str(options));
}

static int run_install(struct kmod_module* m, const char* cmdline, void* data) {
    printf("    run_install %s [%s] data=%s\n", kmod_module_get_name(m), cmdline,
           str((const char*)data));
    return 0;
}

static void cmd_probe(struct kmod_ctx* ctx, unsigned flags, const char* rest, int callbacks) {
    char name[4096];
    const char* extra = NULL;
    struct kmod_list *list = NULL, *l;
    int rc;
    size_t n = strcspn(rest, " ");
    snprintf(name, sizeof(name), "%.*s", (int)n, rest);
    if (rest[n] == ' ') extra = rest + n + 1;
    rc = kmod_module_new_from_lookup(ctx, name, &list);
    printf("probe 0x%x %s [%s]: lookup rc=%d\n", flags, name, str(extra), rc);
    kmod_list_foreach(l, list) {
        struct kmod_module* m = kmod_module_get_module(l);
        rc = callbacks ? kmod_module_probe_insert_module(m, flags, extra, run_install, "cookie",
                                                         print_action)
                       : kmod_module_probe_insert_module(m, flags, extra, NULL, NULL, NULL);
        printf("  %s: rc=%d\n", kmod_module_get_name(m), rc);
        kmod_module_unref(m);
    }
    kmod_module_unref_list(list);
}

static void cmd_insert_remove(struct kmod_ctx* ctx, int insert, unsigned flags, const char* rest) {
    char name[4096];
    const char* opts = NULL;
    struct kmod_module* mod = NULL;
    size_t n = strcspn(rest, " ");
    int rc;
    snprintf(name, sizeof(name), "%.*s", (int)n, rest);
    if (rest[n] == ' ') opts = rest + n + 1;
    rc = strchr(name, '/') ? kmod_module_new_from_path(ctx, name, &mod)
                           : kmod_module_new_from_name(ctx, name, &mod);
    printf("%s 0x%x %s: new rc=%d\n", insert ? "insert" : "remove", flags, name, rc);
    if (rc < 0) return;
    rc = insert ? kmod_module_insert_module(mod, flags, opts)
                : kmod_module_remove_module(mod, flags);
    printf("  rc=%d\n", rc);
    kmod_module_unref(mod);
}

static void cmd_loaded(struct kmod_ctx* ctx) {
    struct kmod_list *list = NULL, *l;
    int rc = kmod_module_new_from_loaded(ctx, &list);
    printf("loaded: rc=%d\n", rc);
    kmod_list_foreach(l, list) {
        struct kmod_module* m = kmod_module_get_module(l);
        int st = kmod_module_get_initstate(m);
        printf("  %s initstate=%d refcnt=%d size=%ld\n", kmod_module_get_name(m), st,
               kmod_module_get_refcnt(m), kmod_module_get_size(m));
        kmod_module_unref(m);
    }
    kmod_module_unref_list(list);
}

static void print_iter(const char* label, struct kmod_config_iter* it) {
    int pass;
    printf("config %s: %s\n", label, it ? "iter" : "(null)");
    /* Twice: after the end, an iterator starts over. */
    for (pass = 0; it && pass < 2; pass++) {
        printf("  before: %s %s\n", str(kmod_config_iter_get_key(it)),
               str(kmod_config_iter_get_value(it)));
        while (kmod_config_iter_next(it))
            printf("  %s = %s\n", str(kmod_config_iter_get_key(it)),
                   str(kmod_config_iter_get_value(it)));
        printf("  after: %s %s\n", str(kmod_config_iter_get_key(it)),
               str(kmod_config_iter_get_value(it)));
    }
    kmod_config_iter_free_iter(it);
}

static void cmd_config(struct kmod_ctx* ctx) {
    print_iter("blacklists", kmod_config_get_blacklists(ctx));
    print_iter("install", kmod_config_get_install_commands(ctx));
    print_iter("remove", kmod_config_get_remove_commands(ctx));
    print_iter("aliases", kmod_config_get_aliases(ctx));
    print_iter("options", kmod_config_get_options(ctx));
    print_iter("softdeps", kmod_config_get_softdeps(ctx));
    if (p_config_get_weakdeps) print_iter("weakdeps", p_config_get_weakdeps(ctx));
}

static void cmd_name(struct kmod_ctx* ctx, const char* name, int by_path, int by_name_lookup) {
    struct kmod_module *mod = NULL, *again = NULL;
    int rc;
    if (by_path)
        rc = kmod_module_new_from_path(ctx, name, &mod);
    else if (by_name_lookup)
        rc = p_name_lookup(ctx, name, &mod);
    else
        rc = kmod_module_new_from_name(ctx, name, &mod);
    printf("%s %s: rc=%d found=%d\n",
           by_path          ? "path"
           : by_name_lookup ? "namelookup"
                            : "name",
           name, rc, mod != NULL);
    if (mod == NULL) return;
    /* The pool hands out the same object for the same name. */
    if (kmod_module_new_from_name(ctx, kmod_module_get_name(mod), &again) == 0) {
        printf("  same object: %d\n", again == mod);
        kmod_module_unref(again);
    }
    describe(ctx, mod);
    kmod_module_unref(mod);
}

static void run_script(struct kmod_ctx* ctx) {
    char* line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        char* arg;
        unsigned flags;
        if (line[len - 1] == '\n') line[--len] = '\0';
        arg = strchr(line, ' ');
        if (arg)
            *arg++ = '\0';
        else
            arg = line + len;
        if (strcmp(line, "ctx") == 0) {
            printf("ctx: dirname=%s prio=%d\n", str(kmod_get_dirname(ctx)),
                   kmod_get_log_priority(ctx));
            kmod_set_userdata(ctx, ctx);
            printf("  userdata ok=%d\n", kmod_get_userdata(ctx) == (void*)ctx);
        } else if (strcmp(line, "resources") == 0) {
            printf("resources: validate=%d", kmod_validate_resources(ctx));
            printf(" load=%d", kmod_load_resources(ctx));
            printf(" again=%d", kmod_load_resources(ctx));
            printf(" validate=%d\n", kmod_validate_resources(ctx));
        } else if (strcmp(line, "unload") == 0) {
            kmod_unload_resources(ctx);
            printf("unload: validate=%d\n", kmod_validate_resources(ctx));
        } else if (strcmp(line, "config") == 0) {
            cmd_config(ctx);
        } else if (strcmp(line, "dump") == 0) {
            int rc;
            printf("dump %s:\n", arg);
            fflush(stdout);
            rc = kmod_dump_index(ctx, (enum kmod_index)atoi(arg), STDOUT_FILENO);
            printf("dump rc=%d\n", rc);
        } else if (strcmp(line, "loaded") == 0) {
            cmd_loaded(ctx);
        } else if (strcmp(line, "lookup") == 0) {
            cmd_lookup(ctx, arg);
        } else if (strcmp(line, "name") == 0) {
            cmd_name(ctx, arg, 0, 0);
        } else if (strcmp(line, "namelookup") == 0) {
            cmd_name(ctx, arg, 0, 1);
        } else if (strcmp(line, "path") == 0) {
            cmd_name(ctx, arg, 1, 0);
        } else if (strcmp(line, "info") == 0) {
            cmd_info(ctx, arg);
        } else if (strcmp(line, "state") == 0) {
            cmd_state(ctx, arg);
        } else if (sscanf(arg, "%x", &flags) == 1 &&
                   (strcmp(line, "probe") == 0 || strcmp(line, "probesys") == 0)) {
            cmd_probe(ctx, flags, arg + strcspn(arg, " ") + (arg[strcspn(arg, " ")] != 0),
                      line[5] == '\0');
        } else if (sscanf(arg, "%x", &flags) == 1 &&
                   (strcmp(line, "insert") == 0 || strcmp(line, "remove") == 0)) {
            cmd_insert_remove(ctx, line[0] == 'i', flags,
                              arg + strcspn(arg, " ") + (arg[strcspn(arg, " ")] != 0));
        } else {
            printf("unknown command %s\n", line);
        }
        fflush(stdout);
    }
    free(line);
}

int main(int argc, char** argv) {
    const char** paths = NULL;
    const char* none[] = {NULL};
    struct kmod_ctx* ctx;

    if (argc < 2) {
        fprintf(stderr, "usage: kmod_diff MODULE_DIR [CONFIG_PATH...|--no-config] < SCRIPT\n");
        return 2;
    }
    if (argc > 2 && strcmp(argv[2], "--no-config") == 0)
        paths = none;
    else if (argc > 2)
        paths = (const char**)(argv + 2);
    p_get_weakdeps = (weakdeps_fn)dlsym(RTLD_DEFAULT, "kmod_module_get_weakdeps");
    p_config_get_weakdeps = (config_weakdeps_fn)dlsym(RTLD_DEFAULT, "kmod_config_get_weakdeps");
#ifdef KMOD_DIFF_DIRECT_NAME_LOOKUP
    p_name_lookup = kmod_module_new_from_name_lookup;
#else
    p_name_lookup = (name_lookup_fn)dlsym(RTLD_DEFAULT, "kmod_module_new_from_name_lookup");
#endif
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    ctx = kmod_new(argv[1], paths);
    if (ctx == NULL) {
        printf("kmod_new failed\n");
        return 1;
    }
    kmod_set_log_fn(ctx, log_fn, NULL);
    kmod_set_log_priority(ctx, LOG_INFO);
    run_script(ctx);
    if (kmod_unref(ctx) != NULL) printf("context still referenced\n");
    return 0;
}
