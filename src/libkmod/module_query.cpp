// What a module handle knows from the module directory and the configuration: its path, its
// options and install/remove commands, its hard, soft and weak dependencies, and the
// blacklist/built-in filter. The rules are src/resolve's and src/config's; the strings handed
// out are kept in the handle (or the context's configuration) for the handle's life.
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"

namespace modkit::libkmod {

namespace {

kmod_list* module_list(kmod_ctx* ctx, const std::vector<resolve::ModId>& ids) {
    kmod_list* list = nullptr;
    for (resolve::ModId id : ids)
        list = list_append_module(list, handle_for(ctx, id));
    return list;
}

const char* path_of(kmod_module* mod) {
    if (!mod->path) {
        auto path = mod->ctx->resolver.path(mod->id);
        settle(mod->ctx, "kmod_module_get_path");
        if (path && *path) mod->path = **path;
    }
    return mod->path ? mod->path->c_str() : nullptr;
}

const char* options_of(kmod_module* mod) {
    if (!mod->options_known) {
        std::string opts = mod->ctx->resolver.options(mod->id);
        if (!opts.empty()) mod->options = std::move(opts);
        mod->options_known = true;
    }
    return mod->options ? mod->options->c_str() : nullptr;
}

kmod_list* dependencies_of(kmod_module* mod) {
    kmod_ctx* ctx = mod->ctx;
    auto deps = ctx->resolver.dependencies(mod->id);
    settle(ctx, "kmod_module_get_dependencies");
    if (!deps) return nullptr;
    kmod_list* list = nullptr;
    for (kmod_module* d : mod->deps)
        list = list_append_module(list, kmod_module_ref(d));
    return list;
}

int filter(const kmod_ctx* cctx, unsigned type, const kmod_list* input, kmod_list** output) {
    auto* ctx = const_cast<kmod_ctx*>(cctx);
    kmod_list* out = nullptr;
    for (const kmod_list* e = input; e != nullptr; e = kmod_list_next(input, e)) {
        kmod_module* mod = module_of(e);
        if (mod == nullptr || mod->ctx != ctx) continue;
        if ((type & KMOD_FILTER_BLACKLIST) != 0 && ctx->resolver.is_blacklisted(mod->id)) continue;
        if ((type & KMOD_FILTER_BUILTIN) != 0) {
            auto builtin = ctx->resolver.is_builtin(mod->id);
            if (builtin && *builtin) continue;
        }
        out = list_append_module(out, kmod_module_ref(mod));
    }
    settle(ctx, "kmod_module_apply_filter");
    *output = out;
    return 0;
}

} // namespace

} // namespace modkit::libkmod

using namespace modkit;
using namespace modkit::libkmod;

extern "C" {

const char* kmod_module_get_path(const kmod_module* mod) {
    if (mod == nullptr) return nullptr;
    return guard<const char*>(nullptr, [&] { return path_of(const_cast<kmod_module*>(mod)); });
}

const char* kmod_module_get_options(const kmod_module* mod) {
    if (mod == nullptr) return nullptr;
    return guard<const char*>(nullptr, [&] { return options_of(const_cast<kmod_module*>(mod)); });
}

const char* kmod_module_get_install_commands(const kmod_module* mod) {
    if (mod == nullptr) return nullptr;
    const config::Command* cmd = mod->ctx->resolver.install_command(mod->id);
    return cmd == nullptr ? nullptr : cmd->command.c_str();
}

const char* kmod_module_get_remove_commands(const kmod_module* mod) {
    if (mod == nullptr) return nullptr;
    const config::Command* cmd = mod->ctx->resolver.remove_command(mod->id);
    return cmd == nullptr ? nullptr : cmd->command.c_str();
}

kmod_list* kmod_module_get_dependencies(const kmod_module* mod) {
    if (mod == nullptr) return nullptr;
    return guard<kmod_list*>(nullptr,
                             [&] { return dependencies_of(const_cast<kmod_module*>(mod)); });
}

int kmod_module_get_softdeps(const kmod_module* mod, kmod_list** pre, kmod_list** post) {
    if (mod == nullptr || pre == nullptr || post == nullptr) return -ENOENT;
    if (*pre != nullptr || *post != nullptr) return -EINVAL; // libkmod asserts
    return guard(-ENOMEM, [&] {
        kmod_ctx* ctx = mod->ctx;
        auto sd = ctx->resolver.softdeps(mod->id);
        if (sd) {
            *pre = module_list(ctx, sd->pre);
            *post = module_list(ctx, sd->post);
        }
        settle(ctx, "kmod_module_get_softdeps");
        return 0;
    });
}

int kmod_module_get_weakdeps(const kmod_module* mod, kmod_list** weak) {
    if (mod == nullptr || weak == nullptr) return -ENOENT;
    if (*weak != nullptr) return -EINVAL; // libkmod asserts
    return guard(-ENOMEM, [&] {
        kmod_ctx* ctx = mod->ctx;
        auto wd = ctx->resolver.weakdeps(mod->id);
        if (wd) *weak = module_list(ctx, wd->deps);
        settle(ctx, "kmod_module_get_weakdeps");
        return 0;
    });
}

int kmod_module_apply_filter(const kmod_ctx* ctx, enum kmod_filter filter_type,
                             const kmod_list* input, kmod_list** output) {
    if (ctx == nullptr || output == nullptr) return -ENOENT;
    *output = nullptr;
    if (input == nullptr) return 0;
    return guard(-ENOMEM,
                 [&] { return filter(ctx, static_cast<unsigned>(filter_type), input, output); });
}

int kmod_module_get_filtered_blacklist(const kmod_ctx* ctx, const kmod_list* input,
                                       kmod_list** output) {
    return kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, input, output);
}

} // extern "C"
