// The library context: kmod_new reads the whole configuration once (modprobe.d, the module
// directory's softdep/weakdep files, the kernel command line), the indexes are opened lazily
// or all at once by kmod_load_resources, and kmod_validate_resources tells a long-running
// caller (udev) when its context has gone stale.
#include "exec/system.hpp"
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"
#include "util/strings.hpp"

#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace modkit::libkmod {

namespace {

using index::IndexKind;

// In kmod_load_resources' order; modules.builtin.alias.bin is optional.
constexpr IndexKind k_resource_order[] = {IndexKind::Dep, IndexKind::Alias, IndexKind::Symbols,
                                          IndexKind::BuiltinAlias, IndexKind::Builtin};

// The module directory: `dirname` made absolute against the current directory (not
// normalised), or /lib/modules/<release>.
std::optional<std::string> module_dirname(const char* dirname) {
    if (dirname != nullptr) {
        if (dirname[0] == '/') return std::string(dirname);
        std::string cwd(4096, '\0');
        if (getcwd(cwd.data(), cwd.size()) == nullptr) return std::nullopt;
        cwd.resize(std::char_traits<char>::length(cwd.c_str()));
        return cwd + "/" + dirname;
    }
    struct utsname u {};
    if (uname(&u) < 0) return std::nullopt;
    return std::string("/lib/modules/") + u.release;
}

kmod_ctx* new_ctx(const char* dirname, const char* const* config_paths) {
    auto dir = module_dirname(dirname);
    if (!dir) return nullptr;
    std::vector<std::string> paths;
    if (config_paths == nullptr)
        paths = config::default_config_dirs(config::ConfigKind::Modprobe);
    else
        for (const char* const* p = config_paths; *p != nullptr; ++p)
            paths.emplace_back(*p);

    // The sink and priority are set before the configuration is read: its messages go to
    // the default sink, as no caller can have installed one yet.
    auto* ctx = new kmod_ctx(*dir, config::ModprobeConfig{});
    ctx->log_fn = log_to_stderr;
    ctx->log_data = stderr;
    if (const char* env = secure_getenv("KMOD_LOG")) ctx->log_priority = priority_from_env(env);

    auto files = config::list_config_files(paths, {config::ConfigKind::Modprobe, *dir});
    auto cmdline = exec::real_system().read_file("/proc/cmdline");
    std::optional<std::string_view> kcmdline;
    if (cmdline) kcmdline = *cmdline;
    ctx->config = config::ModprobeConfig::load(files, kcmdline);
    ctx->config_stamps = std::move(files.stamps);
    for (const auto& d : ctx->config.diagnostics()) {
        const char* fn = d.source.empty() ? "kmod_config_parse" : d.source.c_str();
        log_message(ctx, priority_of(d.level), __FILE_NAME__, __LINE__, fn, d.message + "\n");
    }
    if (!cmdline && cmdline.error().kind != util::ErrorKind::NotFound)
        log_message(ctx, k_log_err, __FILE_NAME__, __LINE__, "kmod_config_parse_kcmdline",
                    "could not read from '/proc/cmdline': " +
                        std::string(std::strerror(cmdline.error().sys_errno)) + "\n");
    ctx->dir.set_bad_header_is_missing(true);
    ctx->resolver.track_created(true);
    ctx->resolver.eager_deps(true);
    char msg[64];
    std::snprintf(msg, sizeof msg, "ctx %p created\n", static_cast<void*>(ctx));
    log_message(ctx, k_log_info, __FILE_NAME__, __LINE__, "kmod_new", msg);
    return ctx;
}

} // namespace

} // namespace modkit::libkmod

// Named after the libkmod function that logs each of these messages.
modkit::util::LogFn kmod_ctx::resolver_log() {
    return [this](modkit::util::LogLevel level, const std::string& msg) {
        const char* fn = msg.starts_with("ctx path=") ? "kmod_module_parse_depline" : "lookup_dep";
        modkit::libkmod::log_message(this, modkit::libkmod::priority_of(level), __FILE_NAME__,
                                     __LINE__, fn, msg + "\n");
    };
}

using namespace modkit;
using namespace modkit::libkmod;

extern "C" {

kmod_ctx* kmod_new(const char* dirname, const char* const* config_paths) {
    return guard<kmod_ctx*>(nullptr, [&] { return new_ctx(dirname, config_paths); });
}

kmod_ctx* kmod_ref(kmod_ctx* ctx) {
    if (ctx == nullptr) return nullptr;
    ++ctx->refcount;
    return ctx;
}

kmod_ctx* kmod_unref(kmod_ctx* ctx) {
    if (ctx == nullptr) return nullptr;
    if (--ctx->refcount > 0) return ctx;
    char msg[64];
    std::snprintf(msg, sizeof msg, "context %p released\n", static_cast<void*>(ctx));
    KMOD_INFO(ctx, msg);
    delete ctx;
    return nullptr;
}

const char* kmod_get_dirname(const kmod_ctx* ctx) {
    return ctx == nullptr ? nullptr : ctx->dirname.c_str();
}

void* kmod_get_userdata(const kmod_ctx* ctx) {
    return ctx == nullptr ? nullptr : const_cast<void*>(ctx->userdata);
}

void kmod_set_userdata(kmod_ctx* ctx, const void* userdata) {
    if (ctx != nullptr) ctx->userdata = userdata;
}

int kmod_load_resources(kmod_ctx* ctx) {
    if (ctx == nullptr) return -ENOENT;
    return guard(-ENOMEM, [&] {
        for (IndexKind kind : k_resource_order) {
            if (ctx->resources_loaded && ctx->dir.open_stat(kind) != nullptr) {
                KMOD_INFO(ctx, std::string("Index ") + index::index_base_name(kind) +
                                   " already loaded\n");
                continue;
            }
            auto r = ctx->dir.load(kind);
            if (!r && kind != IndexKind::BuiltinAlias) {
                ctx->dir.unload();
                ctx->resources_loaded = false;
                return neg_errno(r.error());
            }
        }
        ctx->resources_loaded = true;
        return 0;
    });
}

void kmod_unload_resources(kmod_ctx* ctx) {
    if (ctx == nullptr) return;
    ctx->dir.unload();
    ctx->resources_loaded = false;
}

int kmod_validate_resources(kmod_ctx* ctx) {
    if (ctx == nullptr) return KMOD_RESOURCES_MUST_RECREATE;
    return guard(static_cast<int>(KMOD_RESOURCES_MUST_RECREATE), [&] {
        if (config::stamps_changed(ctx->config_stamps)) return int(KMOD_RESOURCES_MUST_RECREATE);
        if (!ctx->resources_loaded) return int(KMOD_RESOURCES_OK);
        for (IndexKind kind : k_resource_order) {
            const struct stat* was = ctx->dir.open_stat(kind);
            if (was == nullptr) continue;
            struct stat now {};
            std::string path = ctx->dir.file(std::string(index::index_base_name(kind)) + ".bin");
            if (stat(path.c_str(), &now) < 0 || config::mtime_usec(now) != config::mtime_usec(*was))
                return int(KMOD_RESOURCES_MUST_RELOAD);
        }
        return int(KMOD_RESOURCES_OK);
    });
}

} // extern "C"
