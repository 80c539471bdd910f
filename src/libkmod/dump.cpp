// kmod_dump_index: every entry of one index as "key value" lines (with "alias " in front for
// the alias and symbol indexes), in the trie's pre-order, written straight to a descriptor.
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"

#include <unistd.h>

using namespace modkit;
using namespace modkit::libkmod;

namespace {

// The index behind each kmod_index value, in the enum's order.
constexpr index::IndexKind k_kinds[] = {index::IndexKind::Dep, index::IndexKind::Alias,
                                        index::IndexKind::Symbols, index::IndexKind::BuiltinAlias,
                                        index::IndexKind::Builtin};

int dump(kmod_ctx* ctx, unsigned type, int fd) {
    if (type >= std::size(k_kinds)) return -ENOENT;
    index::IndexKind kind = k_kinds[type];
    auto idx = ctx->dir.index(kind);
    if (!idx || *idx == nullptr) {
        settle(ctx, "kmod_dump_index");
        return -ENOSYS;
    }
    const bool alias_prefix = kind == index::IndexKind::Alias || kind == index::IndexKind::Symbols;
    std::string buf;
    auto flush = [&] {
        util::write_all(fd, buf); // libkmod does not report write errors either
        buf.clear();
    };
    auto r = (*idx)->dump([&](std::string_view key, std::string_view value) {
        if (alias_prefix) buf += "alias ";
        buf += key;
        buf += ' ';
        buf += value;
        buf += '\n';
        if (buf.size() >= 65536) flush();
    });
    flush();
    int ret = 0;
    if (!r) {
        KMOD_ERR(ctx, r.error().describe() + "\n");
        ret = -EINVAL;
    }
    settle(ctx, "kmod_dump_index");
    return ret;
}

} // namespace

extern "C" int kmod_dump_index(kmod_ctx* ctx, enum kmod_index type, int fd) {
    if (ctx == nullptr) return -ENOSYS;
    return guard(-ENOMEM, [&] { return dump(ctx, static_cast<unsigned>(type), fd); });
}
