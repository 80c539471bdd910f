// Module handles and their lifetimes. libkmod keeps a module object while someone holds a
// reference to it (the caller, a list entry, or a module whose dependency list names it) and
// frees it, dropping it from the pool, at the last unref. The resolver (src/resolve) owns the
// objects' state; a kmod_module is a counted handle on one of them, and settle() keeps the
// two in step after every call that let the resolver create objects.
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"

namespace modkit::libkmod {

namespace {

kmod_module*& slot(kmod_ctx* ctx, resolve::ModId id) {
    if (ctx->handles.size() <= id) ctx->handles.resize(static_cast<size_t>(id) + 1, nullptr);
    return ctx->handles[id];
}

// Takes references on the dependencies the resolver has loaded for `mod`, as libkmod's module
// holds its dependency list. Returns whether anything changed.
bool hold_deps(kmod_module* mod) {
    if (mod->deps_held) return false;
    const resolve::ModObject& obj = mod->ctx->resolver.get(mod->id);
    if (!obj.dep_loaded) return false;
    mod->deps_held = true;
    std::vector<resolve::ModId> ids = obj.deps; // handle_for may grow the handle table
    mod->deps.reserve(ids.size());
    for (resolve::ModId d : ids)
        if (mod->ctx->resolver.alive(d)) mod->deps.push_back(handle_for(mod->ctx, d));
    return true;
}

} // namespace

kmod_module* handle_for(kmod_ctx* ctx, resolve::ModId id) {
    kmod_module*& h = slot(ctx, id);
    if (h != nullptr) {
        ++h->refcount;
        return h;
    }
    auto* mod = new kmod_module;
    mod->ctx = kmod_ref(ctx);
    mod->id = id;
    mod->name = ctx->resolver.get(id).name;
    slot(ctx, id) = mod;
    return mod;
}

void settle(kmod_ctx* ctx, const char*) {
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = 0; i < ctx->handles.size(); ++i)
            if (kmod_module* h = ctx->handles[i]; h != nullptr) changed |= hold_deps(h);
    }
    for (resolve::ModId id : ctx->resolver.take_created())
        if (ctx->resolver.alive(id) && (id >= ctx->handles.size() || ctx->handles[id] == nullptr))
            ctx->resolver.release(id);
    if (!ctx->resources_loaded) ctx->dir.unload();
}

kmod_module* module_unref(kmod_module* mod) {
    if (mod == nullptr) return nullptr;
    if (--mod->refcount > 0) return mod;
    kmod_ctx* ctx = mod->ctx;
    ctx->handles[mod->id] = nullptr;
    ctx->resolver.release(mod->id);
    std::vector<kmod_module*> deps = std::move(mod->deps);
    delete mod;
    for (kmod_module* d : deps)
        module_unref(d);
    kmod_unref(ctx);
    return nullptr;
}

} // namespace modkit::libkmod

using namespace modkit::libkmod;

extern "C" {

kmod_module* kmod_module_ref(kmod_module* mod) {
    if (mod == nullptr) return nullptr;
    ++mod->refcount;
    return mod;
}

kmod_module* kmod_module_unref(kmod_module* mod) {
    return guard<kmod_module*>(nullptr, [&] { return module_unref(mod); });
}

int kmod_module_unref_list(kmod_list* list) {
    guard_void([&] { list_free(list); });
    return 0;
}

kmod_module* kmod_module_get_module(const kmod_list* entry) {
    return kmod_module_ref(module_of(entry));
}

const char* kmod_module_get_name(const kmod_module* mod) {
    return mod == nullptr ? nullptr : mod->name.c_str();
}

} // extern "C"
