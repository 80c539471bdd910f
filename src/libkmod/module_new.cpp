// Creating module handles: by name, by path, by full lookup (config aliases, modules.dep,
// symbols, commands, modules.alias, built-in modules; src/resolve owns the chain) and by name
// lookup. kmod_module_new_from_name_lookup is exported twice, as kmod 33+ (LIBKMOD_30) and
// kmod 30-32 (LIBKMOD_5) tag it, so programs linked against either find it.
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"
#include "module/names.hpp"

#include <cstring>
#include <unistd.h>

namespace modkit::libkmod {

namespace {

// libkmod normalises names into PATH_MAX buffers: what lies past 4095 bytes is cut.
constexpr size_t k_name_max = 4095;

std::string_view bounded(const char* s) {
    return {s, strnlen(s, k_name_max)};
}

// A path made absolute against the current directory, not normalised (path_make_absolute_cwd).
std::optional<std::string> absolute(const char* path) {
    if (path[0] == '/') return std::string(path);
    std::string cwd(4096, '\0');
    if (getcwd(cwd.data(), cwd.size()) == nullptr) return std::nullopt;
    cwd.resize(std::strlen(cwd.c_str()));
    return cwd + "/" + path;
}

kmod_list* handles_for(kmod_ctx* ctx, const std::vector<resolve::ModId>& ids) {
    kmod_list* list = nullptr;
    for (resolve::ModId id : ids)
        list = list_append_module(list, handle_for(ctx, id));
    return list;
}

int new_from_path(kmod_ctx* ctx, const char* path, kmod_module** mod) {
    auto abs = absolute(path);
    if (!abs) return -ENOMEM;
    auto id = ctx->resolver.by_path(*abs);
    if (!id) {
        settle(ctx, "kmod_module_new_from_path");
        return neg_errno(id.error());
    }
    *mod = handle_for(ctx, *id);
    settle(ctx, "kmod_module_new_from_path");
    return 0;
}

int new_from_lookup(kmod_ctx* ctx, const char* given_alias, kmod_list** list) {
    auto ids = ctx->resolver.lookup(bounded(given_alias));
    if (!ids) {
        settle(ctx, "kmod_module_new_from_lookup");
        return neg_errno(ids.error());
    }
    *list = handles_for(ctx, *ids);
    settle(ctx, "kmod_module_new_from_lookup");
    return 0;
}

int new_from_name_lookup(kmod_ctx* ctx, const char* modname, kmod_module** mod) {
    auto ids = ctx->resolver.lookup_name(bounded(modname));
    if (!ids) {
        settle(ctx, "kmod_module_new_from_name_lookup");
        return neg_errno(ids.error());
    }
    kmod_list* list = handles_for(ctx, *ids);
    settle(ctx, "kmod_module_new_from_name_lookup");
    if (list != nullptr) *mod = kmod_module_get_module(list);
    list_free(list);
    return 0;
}

} // namespace

} // namespace modkit::libkmod

using namespace modkit;
using namespace modkit::libkmod;

extern "C" {

int kmod_module_new_from_name(kmod_ctx* ctx, const char* name, kmod_module** mod) {
    if (ctx == nullptr || name == nullptr || mod == nullptr) return -ENOENT;
    return guard(-ENOMEM, [&] {
        *mod = handle_for(ctx, ctx->resolver.by_name(bounded(name)));
        settle(ctx, "kmod_module_new_from_name");
        return 0;
    });
}

int kmod_module_new_from_path(kmod_ctx* ctx, const char* path, kmod_module** mod) {
    if (ctx == nullptr || path == nullptr || mod == nullptr) return -ENOENT;
    return guard(-ENOMEM, [&] { return new_from_path(ctx, path, mod); });
}

int kmod_module_new_from_lookup(kmod_ctx* ctx, const char* given_alias, kmod_list** list) {
    if (ctx == nullptr || given_alias == nullptr) return -ENOENT;
    if (list == nullptr || *list != nullptr) {
        KMOD_ERR(ctx, "An empty list is needed to create lookup\n");
        return -ENOSYS;
    }
    return guard(-ENOMEM, [&] { return new_from_lookup(ctx, given_alias, list); });
}

// In the shared library the function is exported twice (the version script lists the name
// in both nodes): the default kmod_module_new_from_name_lookup@@LIBKMOD_30 for programs linked
// against kmod 33+, and kmod_module_new_from_name_lookup@LIBKMOD_5 for programs linked against
// kmod 30-32, where it was tagged LIBKMOD_5. Statically linked tests see the plain name.
#ifdef MODKIT_LIBKMOD_SHARED
#define MODKIT_NAME_LOOKUP modkit_new_from_name_lookup_v30
#else
#define MODKIT_NAME_LOOKUP kmod_module_new_from_name_lookup
#endif

int MODKIT_NAME_LOOKUP(kmod_ctx* ctx, const char* modname, kmod_module** mod) {
    if (ctx == nullptr || modname == nullptr || mod == nullptr) return -ENOENT;
    return guard(-ENOMEM, [&] { return new_from_name_lookup(ctx, modname, mod); });
}

#ifdef MODKIT_LIBKMOD_SHARED
int modkit_new_from_name_lookup_v5(kmod_ctx* ctx, const char* modname, kmod_module** mod) {
    return modkit_new_from_name_lookup_v30(ctx, modname, mod);
}
__asm__(".symver modkit_new_from_name_lookup_v30, kmod_module_new_from_name_lookup@@LIBKMOD_30");
__asm__(".symver modkit_new_from_name_lookup_v5, kmod_module_new_from_name_lookup@LIBKMOD_5");
#endif

} // extern "C"
