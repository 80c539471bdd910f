// What the running kernel says about a module, read again on every call through the executor
// (src/exec reaches the kernel layer): initstate, refcnt, size, holders and sections from
// /sys/module, and the loaded list from /proc/modules.
#include "exec/kernel_state.hpp"
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"

#include <climits>

namespace modkit::libkmod {

namespace {

// The executor's messages, logged as `fn` logs them in libkmod.
util::LogFn sink(kmod_ctx* ctx, const char* fn) {
    return [ctx, fn](util::LogLevel level, const std::string& msg) {
        log_message(ctx, priority_of(level), __FILE_NAME__, __LINE__, fn, msg + "\n");
    };
}

int initstate(kmod_module* mod) {
    auto builtin = mod->ctx->resolver.is_builtin(mod->id);
    settle(mod->ctx, "kmod_module_get_initstate");
    if (builtin && *builtin) return KMOD_MODULE_BUILTIN;
    if (mod->name.size() + sizeof("/sys/module//initstate") > PATH_MAX) return -ENAMETOOLONG;
    auto state = exec::initstate(exec::real_system(), mod->name,
                                 sink(mod->ctx, "kmod_module_get_initstate"));
    if (!state) return state.error();
    switch (*state) {
    case exec::InitState::Live:
        return KMOD_MODULE_LIVE;
    case exec::InitState::Coming:
        return KMOD_MODULE_COMING;
    case exec::InitState::Going:
        return KMOD_MODULE_GOING;
    }
    return -EINVAL;
}

kmod_list* holders(kmod_module* mod) {
    kmod_ctx* ctx = mod->ctx;
    auto names =
        exec::holders(exec::real_system(), mod->name, sink(ctx, "kmod_module_get_holders"));
    if (!names) return nullptr;
    kmod_list* list = nullptr;
    for (const std::string& n : *names)
        list = list_append_module(list, handle_for(ctx, ctx->resolver.by_name(n)));
    settle(ctx, "kmod_module_get_holders");
    return list;
}

kmod_list* sections(kmod_module* mod) {
    auto secs =
        exec::sections(exec::real_system(), mod->name, sink(mod->ctx, "kmod_module_get_sections"));
    if (!secs) return nullptr;
    kmod_list* list = nullptr;
    for (auto& s : *secs) {
        list = list_append_record(list, ListKind::Section, std::move(s.name), {}, s.address);
    }
    return list;
}

int loaded(kmod_ctx* ctx, kmod_list** list) {
    auto mods = exec::loaded_modules(exec::real_system(), sink(ctx, "kmod_module_new_from_loaded"));
    if (!mods) return mods.error();
    kmod_list* out = nullptr;
    for (const exec::LoadedModule& m : *mods)
        out = list_append_module(out, handle_for(ctx, ctx->resolver.by_name(m.name)));
    settle(ctx, "kmod_module_new_from_loaded");
    *list = out;
    return 0;
}

} // namespace

} // namespace modkit::libkmod

using namespace modkit;
using namespace modkit::libkmod;

extern "C" {

int kmod_module_new_from_loaded(kmod_ctx* ctx, kmod_list** list) {
    if (ctx == nullptr || list == nullptr) return -ENOENT;
    return guard(-ENOMEM, [&] { return loaded(ctx, list); });
}

const char* kmod_module_initstate_str(enum kmod_module_initstate state) {
    switch (state) {
    case KMOD_MODULE_BUILTIN:
        return "builtin";
    case KMOD_MODULE_LIVE:
        return "live";
    case KMOD_MODULE_COMING:
        return "coming";
    case KMOD_MODULE_GOING:
        return "going";
    default:
        return nullptr;
    }
}

int kmod_module_get_initstate(const kmod_module* mod) {
    if (mod == nullptr) return -ENOENT;
    return guard(-ENOMEM, [&] { return initstate(const_cast<kmod_module*>(mod)); });
}

long kmod_module_get_size(const kmod_module* mod) {
    if (mod == nullptr) return -ENOENT;
    return guard(long{-ENOMEM}, [&] {
        return exec::module_size(exec::real_system(), mod->name,
                                 sink(mod->ctx, "kmod_module_get_size"));
    });
}

int kmod_module_get_refcnt(const kmod_module* mod) {
    if (mod == nullptr) return -ENOENT;
    return guard(-ENOMEM, [&] {
        return exec::refcnt(exec::real_system(), mod->name,
                            sink(mod->ctx, "kmod_module_get_refcnt"));
    });
}

kmod_list* kmod_module_get_holders(const kmod_module* mod) {
    if (mod == nullptr) return nullptr;
    return guard<kmod_list*>(nullptr, [&] { return holders(const_cast<kmod_module*>(mod)); });
}

kmod_list* kmod_module_get_sections(const kmod_module* mod) {
    if (mod == nullptr) return nullptr;
    return guard<kmod_list*>(nullptr, [&] { return sections(const_cast<kmod_module*>(mod)); });
}

const char* kmod_module_section_get_name(const kmod_list* entry) {
    const ListRecord* e = record_of(entry, ListKind::Section);
    return e == nullptr ? nullptr : e->key.c_str();
}

unsigned long kmod_module_section_get_address(const kmod_list* entry) {
    const ListRecord* e = record_of(entry, ListKind::Section);
    return e == nullptr ? ULONG_MAX : static_cast<unsigned long>(e->number);
}

void kmod_module_section_free_list(kmod_list* list) {
    list_free(list);
}

} // extern "C"
