// Configuration iterators: one kind of modprobe.d entry at a time, in parse order, as the
// context's configuration holds them (src/config parses; this only walks the vectors).
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"

using namespace modkit;
using namespace modkit::libkmod;

namespace {

size_t entry_count(const kmod_config_iter* it) {
    const config::ModprobeConfig& c = *it->config;
    switch (it->kind) {
    case ConfigKind::Blacklist:
        return c.blacklists().size();
    case ConfigKind::Install:
        return c.install_commands().size();
    case ConfigKind::Remove:
        return c.remove_commands().size();
    case ConfigKind::Alias:
        return c.aliases().size();
    case ConfigKind::Options:
        return c.options().size();
    case ConfigKind::Softdep:
        return c.softdeps().size();
    case ConfigKind::Weakdep:
        return c.weakdeps().size();
    }
    return 0;
}

// The current entry's key (value == false) or value; null when there is no current entry.
const char* field(const kmod_config_iter* it, bool value) {
    if (it == nullptr || !it->positioned) return nullptr;
    const config::ModprobeConfig& c = *it->config;
    const size_t i = it->next - 1;
    switch (it->kind) {
    case ConfigKind::Blacklist:
        return value ? nullptr : c.blacklists()[i].module.c_str();
    case ConfigKind::Install: {
        const auto& e = c.install_commands()[i];
        return value ? e.command.c_str() : e.module.c_str();
    }
    case ConfigKind::Remove: {
        const auto& e = c.remove_commands()[i];
        return value ? e.command.c_str() : e.module.c_str();
    }
    case ConfigKind::Alias: {
        const auto& e = c.aliases()[i];
        return value ? e.module.c_str() : e.pattern.c_str();
    }
    case ConfigKind::Options: {
        const auto& e = c.options()[i];
        return value ? e.options.c_str() : e.module.c_str();
    }
    case ConfigKind::Softdep: {
        const auto& e = c.softdeps()[i];
        return value ? e.shown.c_str() : e.module.c_str();
    }
    case ConfigKind::Weakdep: {
        const auto& e = c.weakdeps()[i];
        return value ? e.shown.c_str() : e.module.c_str();
    }
    }
    return nullptr;
}

kmod_config_iter* new_iter(const kmod_ctx* ctx, ConfigKind kind) {
    if (ctx == nullptr) return nullptr;
    return guard<kmod_config_iter*>(nullptr, [&] {
        auto* it = new kmod_config_iter;
        it->kind = kind;
        it->config = &ctx->config;
        return it;
    });
}

} // namespace

extern "C" {

kmod_config_iter* kmod_config_get_blacklists(const kmod_ctx* ctx) {
    return new_iter(ctx, ConfigKind::Blacklist);
}
kmod_config_iter* kmod_config_get_install_commands(const kmod_ctx* ctx) {
    return new_iter(ctx, ConfigKind::Install);
}
kmod_config_iter* kmod_config_get_remove_commands(const kmod_ctx* ctx) {
    return new_iter(ctx, ConfigKind::Remove);
}
kmod_config_iter* kmod_config_get_aliases(const kmod_ctx* ctx) {
    return new_iter(ctx, ConfigKind::Alias);
}
kmod_config_iter* kmod_config_get_options(const kmod_ctx* ctx) {
    return new_iter(ctx, ConfigKind::Options);
}
kmod_config_iter* kmod_config_get_softdeps(const kmod_ctx* ctx) {
    return new_iter(ctx, ConfigKind::Softdep);
}
kmod_config_iter* kmod_config_get_weakdeps(const kmod_ctx* ctx) {
    return new_iter(ctx, ConfigKind::Weakdep);
}

const char* kmod_config_iter_get_key(const kmod_config_iter* iter) {
    return field(iter, false);
}

const char* kmod_config_iter_get_value(const kmod_config_iter* iter) {
    return field(iter, true);
}

// After the end it starts over from the first entry, as libkmod's does.
bool kmod_config_iter_next(kmod_config_iter* iter) {
    if (iter == nullptr) return false;
    if (iter->next >= entry_count(iter)) {
        iter->next = 0;
        iter->positioned = false;
        return false;
    }
    ++iter->next;
    iter->positioned = true;
    return true;
}

void kmod_config_iter_free_iter(kmod_config_iter* iter) {
    delete iter;
}

} // extern "C"
