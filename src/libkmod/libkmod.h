/* libkmod.h: the C interface of modkit's libkmod.so.2, a drop-in for kmod's libkmod (the
 * functions, types and constants of kmod 34.2, by name, value and signature). Programs written
 * for libkmod compile against this header unchanged; nothing of modkit's C++ core shows here.
 *
 * Object model, in short:
 *  - a kmod_ctx holds one module directory's indexes and one configuration, read at creation;
 *  - a kmod_module is one module known to a context, found by name, path or lookup; equal keys
 *    give the same object, and every module keeps its context alive;
 *  - a kmod_list is handed out as its first entry; walk it with kmod_list_foreach and free it
 *    with the function matching what it holds;
 *  - every object is reference counted: *_ref adds a reference, *_unref drops one;
 *  - errors are negative errno values; NULL handles are accepted everywhere.
 * A context and everything reached through it belong to one thread at a time. */
#pragma once
#ifndef _LIBKMOD_H_
#define _LIBKMOD_H_

#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Context ------------------------------------------------------------------------------ */

struct kmod_ctx;

/* A new context for the module directory `dirname` (NULL: /lib/modules/`uname -r`; a relative
 * directory is taken from the current one) and the configuration in `config_paths`, a
 * NULL-terminated list of directories and files (NULL: the system's modprobe.d directories). */
struct kmod_ctx* kmod_new(const char* dirname, const char* const* config_paths);
struct kmod_ctx* kmod_ref(struct kmod_ctx* ctx);
/* Returns NULL once the last reference is gone (modules hold references too). */
struct kmod_ctx* kmod_unref(struct kmod_ctx* ctx);

/* Maps the module directory's indexes now, for fast lookups; 0 or a negative errno. */
int kmod_load_resources(struct kmod_ctx* ctx);
void kmod_unload_resources(struct kmod_ctx* ctx);

enum kmod_resources {
    KMOD_RESOURCES_OK = 0,
    KMOD_RESOURCES_MUST_RELOAD = 1,   /* an index changed: unload and load again */
    KMOD_RESOURCES_MUST_RECREATE = 2, /* the configuration changed: make a new context */
};
int kmod_validate_resources(struct kmod_ctx* ctx);

enum kmod_index {
    KMOD_INDEX_MODULES_DEP = 0,
    KMOD_INDEX_MODULES_ALIAS = 1,
    KMOD_INDEX_MODULES_SYMBOL = 2,
    KMOD_INDEX_MODULES_BUILTIN_ALIAS = 3,
    KMOD_INDEX_MODULES_BUILTIN = 4,
    _KMOD_INDEX_PAD = 1U << 31,
};
/* Writes every entry of one index to `fd`, one "key value" line each. */
int kmod_dump_index(struct kmod_ctx* ctx, enum kmod_index type, int fd);

/* Messages of priority <= the context's priority (syslog's LOG_ERR... LOG_DEBUG) go to the
 * log function; the default one writes to stderr, NULL silences the context. */
void kmod_set_log_priority(struct kmod_ctx* ctx, int priority);
int kmod_get_log_priority(const struct kmod_ctx* ctx);
void kmod_set_log_fn(struct kmod_ctx* ctx,
                     void (*log_fn)(void* log_data, int priority, const char* file, int line,
                                    const char* fn, const char* format, va_list args),
                     const void* data);

void kmod_set_userdata(struct kmod_ctx* ctx, const void* userdata);
void* kmod_get_userdata(const struct kmod_ctx* ctx);

/* The context's absolute module directory. */
const char* kmod_get_dirname(const struct kmod_ctx* ctx);

/* ---- Lists -------------------------------------------------------------------------------- */

struct kmod_list;

#define kmod_list_foreach(curr, list)                                                              \
    for (curr = list; curr != NULL; curr = kmod_list_next(list, curr))
#define kmod_list_foreach_reverse(curr, list)                                                      \
    for (curr = kmod_list_last(list); curr != NULL; curr = kmod_list_prev(list, curr))

struct kmod_list* kmod_list_last(const struct kmod_list* list);
struct kmod_list* kmod_list_next(const struct kmod_list* list, const struct kmod_list* curr);
struct kmod_list* kmod_list_prev(const struct kmod_list* list, const struct kmod_list* curr);

/* ---- Configuration ------------------------------------------------------------------------ */

/* An iterator over one kind of configuration entry, positioned before the first one; it must
 * not outlive its context. */
struct kmod_config_iter;

struct kmod_config_iter* kmod_config_get_blacklists(const struct kmod_ctx* ctx);
struct kmod_config_iter* kmod_config_get_install_commands(const struct kmod_ctx* ctx);
struct kmod_config_iter* kmod_config_get_remove_commands(const struct kmod_ctx* ctx);
struct kmod_config_iter* kmod_config_get_aliases(const struct kmod_ctx* ctx);
struct kmod_config_iter* kmod_config_get_options(const struct kmod_ctx* ctx);
struct kmod_config_iter* kmod_config_get_softdeps(const struct kmod_ctx* ctx);
struct kmod_config_iter* kmod_config_get_weakdeps(const struct kmod_ctx* ctx);
const char* kmod_config_iter_get_key(const struct kmod_config_iter* iter);
const char* kmod_config_iter_get_value(const struct kmod_config_iter* iter);
bool kmod_config_iter_next(struct kmod_config_iter* iter);
void kmod_config_iter_free_iter(struct kmod_config_iter* iter);

/* ---- Modules ------------------------------------------------------------------------------ */

struct kmod_module;

/* Every module an alias, a name or "symbol:NAME" resolves to; *list must be NULL on entry and
 * stays NULL when nothing matches (still 0). */
int kmod_module_new_from_lookup(struct kmod_ctx* ctx, const char* given_alias,
                                struct kmod_list** list);
/* A module by name only (modules.dep, then built-in modules); *mod is untouched when none. */
int kmod_module_new_from_name_lookup(struct kmod_ctx* ctx, const char* modname,
                                     struct kmod_module** mod);
int kmod_module_new_from_name(struct kmod_ctx* ctx, const char* name, struct kmod_module** mod);
int kmod_module_new_from_path(struct kmod_ctx* ctx, const char* path, struct kmod_module** mod);
/* The modules in /proc/modules. */
int kmod_module_new_from_loaded(struct kmod_ctx* ctx, struct kmod_list** list);

struct kmod_module* kmod_module_ref(struct kmod_module* mod);
struct kmod_module* kmod_module_unref(struct kmod_module* mod);
/* Drops the reference every entry holds and frees the list; returns 0. */
int kmod_module_unref_list(struct kmod_list* list);
/* The module of a module-list entry, with a new reference. */
struct kmod_module* kmod_module_get_module(const struct kmod_list* entry);

const char* kmod_module_get_name(const struct kmod_module* mod);
const char* kmod_module_get_path(const struct kmod_module* mod);
const char* kmod_module_get_options(const struct kmod_module* mod);
const char* kmod_module_get_install_commands(const struct kmod_module* mod);
const char* kmod_module_get_remove_commands(const struct kmod_module* mod);

/* ---- Dependencies and filters ------------------------------------------------------------- */

struct kmod_list* kmod_module_get_dependencies(const struct kmod_module* mod);
int kmod_module_get_softdeps(const struct kmod_module* mod, struct kmod_list** pre,
                             struct kmod_list** post);
int kmod_module_get_weakdeps(const struct kmod_module* mod, struct kmod_list** weak);

enum kmod_filter {
    KMOD_FILTER_BLACKLIST = 0x00001,
    KMOD_FILTER_BUILTIN = 0x00002,
};
int kmod_module_apply_filter(const struct kmod_ctx* ctx, enum kmod_filter filter_type,
                             const struct kmod_list* input, struct kmod_list** output);
/* kmod_module_apply_filter with KMOD_FILTER_BLACKLIST. */
int kmod_module_get_filtered_blacklist(const struct kmod_ctx* ctx, const struct kmod_list* input,
                                       struct kmod_list** output) __attribute__((deprecated));

/* ---- Loading and unloading ---------------------------------------------------------------- */

enum kmod_insert {
    KMOD_INSERT_FORCE_VERMAGIC = 0x1,
    KMOD_INSERT_FORCE_MODVERSION = 0x2,
};
int kmod_module_insert_module(struct kmod_module* mod, unsigned int flags, const char* options);

enum kmod_probe {
    KMOD_PROBE_FORCE_VERMAGIC = 0x00001,
    KMOD_PROBE_FORCE_MODVERSION = 0x00002,
    KMOD_PROBE_IGNORE_COMMAND = 0x00004,
    KMOD_PROBE_IGNORE_LOADED = 0x00008,
    KMOD_PROBE_DRY_RUN = 0x00010,
    KMOD_PROBE_FAIL_ON_LOADED = 0x00020,
    /* The blacklist flags are also what a probe returns when the blacklist stopped it. */
    KMOD_PROBE_APPLY_BLACKLIST_ALL = 0x10000,
    KMOD_PROBE_APPLY_BLACKLIST = 0x20000,
    KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY = 0x40000,
};
/* Loads a module with its dependencies, soft dependencies, options and install commands. */
int kmod_module_probe_insert_module(
    struct kmod_module* mod, unsigned int flags, const char* extra_options,
    int (*run_install)(struct kmod_module* m, const char* cmdline, void* data), const void* data,
    void (*print_action)(struct kmod_module* m, bool install, const char* options));

enum kmod_remove {
    KMOD_REMOVE_FORCE = O_TRUNC,
    KMOD_REMOVE_NOWAIT = O_NONBLOCK, /* always applied */
    KMOD_REMOVE_NOLOG = 1,
};
int kmod_module_remove_module(struct kmod_module* mod, unsigned int flags);

/* ---- What the module file says (counts returned; lists freed with their own function) ----- */

int kmod_module_get_info(const struct kmod_module* mod, struct kmod_list** list);
const char* kmod_module_info_get_key(const struct kmod_list* entry);
const char* kmod_module_info_get_value(const struct kmod_list* entry);
void kmod_module_info_free_list(struct kmod_list* list);

int kmod_module_get_versions(const struct kmod_module* mod, struct kmod_list** list);
const char* kmod_module_version_get_symbol(const struct kmod_list* entry);
uint64_t kmod_module_version_get_crc(const struct kmod_list* entry);
void kmod_module_versions_free_list(struct kmod_list* list);

int kmod_module_get_symbols(const struct kmod_module* mod, struct kmod_list** list);
const char* kmod_module_symbol_get_symbol(const struct kmod_list* entry);
uint64_t kmod_module_symbol_get_crc(const struct kmod_list* entry);
void kmod_module_symbols_free_list(struct kmod_list* list);

enum kmod_symbol_bind {
    KMOD_SYMBOL_NONE = '\0',
    KMOD_SYMBOL_LOCAL = 'L',
    KMOD_SYMBOL_GLOBAL = 'G',
    KMOD_SYMBOL_WEAK = 'W',
    KMOD_SYMBOL_UNDEF = 'U',
};
int kmod_module_get_dependency_symbols(const struct kmod_module* mod, struct kmod_list** list);
const char* kmod_module_dependency_symbol_get_symbol(const struct kmod_list* entry);
uint64_t kmod_module_dependency_symbol_get_crc(const struct kmod_list* entry);
int kmod_module_dependency_symbol_get_bind(const struct kmod_list* entry);
void kmod_module_dependency_symbols_free_list(struct kmod_list* list);

/* ---- What the running kernel says (read again on every call) ------------------------------ */

enum kmod_module_initstate {
    KMOD_MODULE_BUILTIN = 0,
    KMOD_MODULE_LIVE = 1,
    KMOD_MODULE_COMING = 2,
    KMOD_MODULE_GOING = 3,
    _KMOD_MODULE_PAD = 1U << 31,
};
int kmod_module_get_initstate(const struct kmod_module* mod);
const char* kmod_module_initstate_str(enum kmod_module_initstate state);
long kmod_module_get_size(const struct kmod_module* mod);
int kmod_module_get_refcnt(const struct kmod_module* mod);
struct kmod_list* kmod_module_get_holders(const struct kmod_module* mod);

struct kmod_list* kmod_module_get_sections(const struct kmod_module* mod);
const char* kmod_module_section_get_name(const struct kmod_list* entry);
unsigned long kmod_module_section_get_address(const struct kmod_list* entry);
void kmod_module_section_free_list(struct kmod_list* list);

#ifdef __cplusplus
}
#endif

#endif
