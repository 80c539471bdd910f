// modprobe's actions: insert (one module with options, or -a many), remove (-r), -c,
// --show-modversions and --show-exports, each with kmod's messages and results.
#include "cli/modprobe.hpp"

#include "exec/remove_exec.hpp"
#include "module/module_file.hpp"
#include "module/modversions.hpp"
#include "util/diag.hpp"
#include "util/fs.hpp"
#include "util/output.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace modkit::cli::modprobe {

using resolve::ModId;

exec::Effects Context::effects() {
    return exec::Effects{
        system,
        exec::run_shell_command,
        [](std::string_view text) {
            util::Output::write(text);
            util::Output::flush(); // kmod flushes each action line
        },
        [this](util::LogLevel level, const std::string& msg) { log(level, msg); },
        [this] { return halted; },
    };
}

void Context::log(const std::string& msg) {
    log(log_level, msg);
}

void Context::log(util::LogLevel level, const std::string& msg) {
    if (halted || !util::Diag::enabled(level)) return;
    util::Diag::log(level, msg);
    if (level == util::LogLevel::Fatal) halted = true;
}

namespace {

// An index that cannot be read is reported once, naming the file.
int index_error(const util::Error& e) {
    util::Diag::error(e.describe());
    return -e.sys_errno;
}

std::string_view reason_word(resolve::StepReason r) {
    switch (r) {
    case resolve::StepReason::Target:
        return "target";
    case resolve::StepReason::Dependency:
        return "dependency";
    case resolve::StepReason::SoftdepPre:
        return "softdep-pre";
    case resolve::StepReason::SoftdepPost:
        return "softdep-post";
    }
    return "target";
}

// -D --json: the steps -D prints as lines, as objects (a blacklisted target has none).
void plan_json(util::JsonWriter& w, const resolve::ProbePlan& plan) {
    if (plan.blacklisted) return;
    for (const resolve::ProbeStep& s : plan.steps) {
        if (s.kind == resolve::StepKind::Missing) continue; // -D prints nothing for it
        w.begin_object();
        w.field("module", s.name);
        w.field("action", s.kind == resolve::StepKind::Install   ? "install"
                          : s.kind == resolve::StepKind::Builtin ? "builtin"
                                                                 : "insmod");
        if (s.kind == resolve::StepKind::Insmod)
            w.field("path", s.path);
        else
            w.field_null("path");
        if (s.kind == resolve::StepKind::Install)
            w.field("command", s.install->command);
        else
            w.field_null("command");
        if (s.kind == resolve::StepKind::Builtin)
            w.field_null("options");
        else
            w.field("options", s.options);
        w.field("reason", reason_word(s.reason));
        if (s.reason_of.empty())
            w.field_null("reason_of");
        else
            w.field("reason_of", s.reason_of);
        w.end_object();
    }
}

int probe_target(Context& ctx, ModId mod, const std::string* extra_options) {
    const Options& o = ctx.opt;
    resolve::ProbeFlags flags;
    flags.ignore_commands = o.ignore_commands;
    flags.apply_blacklist = o.use_blacklist;
    flags.ignore_loaded = o.show_depends;
    auto plan = resolve::plan_probe(ctx.resolver, mod, extra_options, flags);
    if (!plan) return index_error(plan.error());
    if (ctx.json != nullptr) {
        plan_json(*ctx.json, *plan);
        return 0;
    }
    exec::ProbeRunOptions run;
    run.dry_run = o.dry_run || o.show_depends;
    run.show = ctx.show_actions();
    run.ignore_loaded = o.show_depends;
    run.first_time = o.first_time;
    run.force_vermagic = o.force_vermagic || o.force;
    run.force_modversion = o.force_modversion || o.force;
    exec::Effects fx = ctx.effects();
    return exec::run_probe(ctx.resolver, *plan, run, fx);
}

// The handbook's "why did this module not load at boot?" when the answer is that the running
// kernel has no module directory: its package was removed or replaced (an upgrade), so nothing
// can load until the machine boots a kernel that is installed.
std::string missing_directory_hint(const std::string& dirname) {
    std::string parent = dirname.substr(0, dirname.rfind('/'));
    std::string text = "modprobe: hint: " + dirname +
                       " does not exist: the running kernel's modules are not installed (removed "
                       "or replaced by a kernel upgrade?); reboot into an installed kernel";
    std::vector<std::string> kernels;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(parent, ec))
        kernels.push_back(e.path().filename().string());
    if (!kernels.empty()) {
        std::sort(kernels.begin(), kernels.end());
        text += " (" + parent + " has:";
        for (const auto& k : kernels)
            text += " " + k;
        text += ")";
    }
    return text + "\n";
}

void report_insert_error(const std::string& name, int err) {
    switch (err) {
    case -EEXIST:
        util::Diag::error("could not insert '" + name + "': Module already in kernel");
        break;
    case -ENOENT:
        util::Diag::error("could not insert '" + name +
                          "': Unknown symbol in module, or unknown parameter (see dmesg)");
        break;
    default:
        util::Diag::error("could not insert '" + name + "': " + std::strerror(-err));
        break;
    }
}

} // namespace

namespace {

// With --json, one object per argument holds its answers; closed on every return path.
class ArgumentJson {
public:
    ArgumentJson(Context& ctx, const std::string& name)
        : m_json(ctx.json) {
        if (m_json == nullptr) return;
        m_json->begin_object().field("argument", name);
        m_json->key(ctx.opt.lookup_only ? "modules" : "steps").begin_array();
    }
    ~ArgumentJson() {
        if (m_json != nullptr) m_json->end_array().end_object();
    }
    ArgumentJson(const ArgumentJson&) = delete;
    ArgumentJson& operator=(const ArgumentJson&) = delete;

private:
    util::JsonWriter* m_json;
};

} // namespace

int insert_one(Context& ctx, const std::string& name, const std::string* extra_options) {
    ArgumentJson json_scope(ctx, name);
    ctx.resolver.forget_modules();
    std::vector<ModId> list;
    // kmod 31+: a first argument that is a path names the module file itself.
    if (name.starts_with('/') || name.starts_with("./")) {
        std::string path = name;
        if (!path.starts_with('/')) {
            char cwd[4096];
            if (getcwd(cwd, sizeof cwd) != nullptr) path = std::string(cwd) + "/" + name;
        }
        auto mod = ctx.resolver.by_path(path);
        if (!mod) {
            ctx.log("Module " + name + " not found.");
            return -ENOENT;
        }
        list.push_back(*mod);
    } else {
        auto found = ctx.resolver.lookup(name);
        if (!found && found.error().kind == util::ErrorKind::Corrupt)
            return index_error(found.error());
        if (!found || found->empty()) {
            ctx.log("Module " + name + " not found in directory " + ctx.dirname);
            // After kmod's line, which scripts parse: why, when the whole directory is gone.
            if (!ctx.opt.quiet && !util::is_directory(ctx.dirname))
                util::Diag::raw(missing_directory_hint(ctx.dirname));
            return -ENOENT;
        }
        list = std::move(*found);
    }
    int err = 0;
    for (ModId mod : list) {
        if (ctx.halted) break;
        if (ctx.opt.lookup_only && ctx.json != nullptr) {
            ctx.json->value(ctx.resolver.get(mod).name);
        } else if (ctx.opt.lookup_only) {
            util::Output::write(ctx.resolver.get(mod).name + "\n");
        } else {
            err = probe_target(ctx, mod, extra_options);
        }
        if (err >= 0)
            err = 0; // also "skipped because blacklisted"
        else
            report_insert_error(ctx.resolver.get(mod).name, err);
    }
    return err;
}

int insert_all(Context& ctx, const std::vector<std::string_view>& args) {
    int err = 0;
    for (auto a : args) {
        if (ctx.halted) break;
        if (int r = insert_one(ctx, std::string(a), nullptr); r < 0) err = r;
    }
    return err;
}

int remove_all(Context& ctx, const std::vector<std::string_view>& args) {
    int err = 0;
    exec::RemoveRunOptions run;
    run.dry_run = ctx.opt.dry_run || ctx.opt.show_depends;
    run.show = ctx.show_actions();
    run.ignore_commands = ctx.opt.ignore_commands;
    run.ignore_loaded = ctx.opt.show_depends;
    run.first_time = ctx.opt.first_time;
    run.force = ctx.opt.force;
    run.remove_holders = ctx.opt.remove_holders;
    run.wait_msec = ctx.opt.wait_msec;
    for (auto arg : args) {
        if (ctx.halted) break;
        std::string a(arg);
        int r = 0;
        ctx.resolver.forget_modules();
        auto found = ctx.resolver.lookup(a);
        if (!found) {
            r = found.error().kind == util::ErrorKind::Corrupt ? index_error(found.error())
                                                               : -found.error().sys_errno;
        } else if (found->empty()) {
            ctx.log("Module " + a + " not found.");
            r = -ENOENT;
        } else {
            for (ModId mod : *found) {
                exec::Effects fx = ctx.effects();
                r = exec::run_remove(ctx.resolver, mod, run, ctx.log_level, fx);
                if (r < 0 || ctx.halted) break;
            }
        }
        if (r < 0) err = r;
    }
    return err;
}

namespace {

// -c --json's "configuration": the lines -c prints, in its order, each with its origin.
void config_json(util::JsonWriter& w, const config::ModprobeConfig& cfg) {
    w.key("configuration").begin_array();
    auto entry = [&w](std::string_view command, std::string_view module, const std::string* value,
                      const config::Origin& origin) {
        w.begin_object().field("command", command).field("module", module);
        if (value != nullptr)
            w.field("value", *value);
        else
            w.field_null("value");
        if (origin.from_kcmdline())
            w.field_null("file").field_null("line");
        else
            w.field("file", origin.file).field("line", origin.line);
        w.end_object();
    };
    cfg.for_each_shown(entry);
    w.end_array();
}

} // namespace

int show_config(Context& ctx) {
    if (ctx.json != nullptr)
        config_json(*ctx.json, ctx.config);
    else
        util::Output::write(ctx.config.show_config() + std::string(config::k_show_config_trailer));
    // Then the alias and symbol indexes, "alias KEY VALUE" in trie order.
    for (auto kind : {index::IndexKind::Alias, index::IndexKind::Symbols}) {
        if (ctx.json != nullptr)
            ctx.json->key(kind == index::IndexKind::Alias ? "aliases" : "symbols").begin_array();
        auto idx = ctx.dir.index(kind);
        if (!idx) {
            index_error(idx.error());
        } else if (*idx != nullptr) {
            std::string line;
            auto r = (*idx)->dump([&](std::string_view key, std::string_view value) {
                if (ctx.json != nullptr) {
                    ctx.json->begin_object().field("key", key).field("module", value).end_object();
                    return;
                }
                line.assign("alias ");
                line += key;
                line += ' ';
                line += value;
                line += '\n';
                util::Output::write(line);
            });
            if (!r) index_error(r.error());
        }
        if (ctx.json != nullptr) ctx.json->end_array();
    }
    return 0;
}

namespace {

void print_crc_lines(Context& ctx, const std::vector<std::pair<std::string_view, uint64_t>>& rows) {
    char buf[32];
    if (ctx.json != nullptr) {
        ctx.json->key("symbols").begin_array();
        for (const auto& [name, crc] : rows) {
            std::snprintf(buf, sizeof buf, "0x%08" PRIx64, crc);
            ctx.json->begin_object().field("symbol", name).field("crc", buf).end_object();
        }
        ctx.json->end_array();
        return;
    }
    for (const auto& [name, crc] : rows) {
        std::snprintf(buf, sizeof buf, "0x%08" PRIx64 "\t", crc);
        util::Output::write(buf);
        util::Output::write(name);
        util::Output::write("\n");
    }
}

} // namespace

int show_modversions(Context& ctx, const std::string& path) {
    auto mod = module::ModuleFile::open(path, module::ModuleFile::Load::OnDemand);
    if (!mod && mod.error().kind == util::ErrorKind::NotFound) {
        ctx.log("Module " + path + " not found.");
        return -ENOENT;
    }
    util::Expected<std::vector<module::VersionEntry>> versions =
        mod ? mod->versions() : std::unexpected(mod.error());
    // Linux 6.14's extended modversions, which kmod 34 does not read: listed after __versions
    // (the names __versions lacks), or alone when the module has only them.
    util::Expected<std::vector<module::VersionEntry>> ext =
        mod ? module::extended_versions(*mod) : std::unexpected(mod.error());
    if (!versions && (!ext || versions.error().kind != util::ErrorKind::NotFound)) {
        ctx.log("could not get modversions of " + path + ": " +
                std::strerror(versions.error().sys_errno));
        return -versions.error().sys_errno;
    }
    std::vector<std::pair<std::string_view, uint64_t>> rows;
    if (versions)
        for (const auto& v : *versions)
            rows.emplace_back(v.name, v.crc);
    if (ext)
        for (const auto& v : *ext)
            if (std::none_of(rows.begin(), rows.end(),
                             [&](const auto& r) { return r.first == v.name; }))
                rows.emplace_back(v.name, v.crc);
    print_crc_lines(ctx, rows);
    return 0;
}

int show_exports(Context& ctx, const std::string& path) {
    auto mod = module::ModuleFile::open(path, module::ModuleFile::Load::OnDemand);
    if (!mod && mod.error().kind == util::ErrorKind::NotFound) {
        ctx.log("Module " + path + " not found.");
        return -ENOENT;
    }
    if (!mod) {
        ctx.log("could not get symbols of " + path + ": " + std::strerror(mod.error().sys_errno));
        return -mod.error().sys_errno;
    }
    auto exports = mod->exports();
    // libkmod fails (ENOENT) when there are neither __crc_ symbols nor __ksymtab_strings.
    if (exports.empty() && mod->elf().find("__ksymtab_strings") == nullptr) {
        ctx.log("could not get symbols of " + path + ": " + std::strerror(ENOENT));
        return -ENOENT;
    }
    std::vector<std::pair<std::string_view, uint64_t>> rows;
    for (const auto& e : exports)
        rows.emplace_back(e.name, e.crc);
    print_crc_lines(ctx, rows);
    return 0;
}

} // namespace modkit::cli::modprobe
