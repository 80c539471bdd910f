// Loader: plan under the world's lock, execute outside it, report with provenance.
#include "daemon/loader.hpp"

#include "config/config_files.hpp"
#include "exec/kernel_state.hpp"
#include "exec/load_list.hpp"
#include "resolve/explain.hpp"
#include "resolve/load_list.hpp"
#include "util/glob.hpp"

#include <cstring>
#include <map>
#include <set>

namespace modkit::daemon {

using util::LogLevel;

struct Loader::World {
    World(const std::string& dirname, const config::FileList& files,
          std::optional<std::string_view> kcmdline)
        : dir(dirname)
        , config(config::ModprobeConfig::load(files, kcmdline))
        , resolver(dir, config, [](LogLevel, const std::string&) {}) {}
    index::ModuleDirectory dir;
    config::ModprobeConfig config;
    resolve::Resolver resolver;
    std::mutex mutex; // the resolver's module pool is not shared between threads
};

namespace {

std::string origin_text(const config::Origin& o) {
    return o.from_kcmdline() ? "kernel command line" : o.describe();
}

// The patterns of modules.alias (or modules.builtin.alias) that map `normalized` to `module`:
// the index answers with module names only, so the patterns are found by walking it.
std::vector<std::string> alias_patterns(const index::ModuleDirectory& dir, index::IndexKind kind,
                                        const std::string& module, const std::string& normalized) {
    std::vector<std::string> out;
    auto idx = dir.index(kind);
    if (!idx || *idx == nullptr) return out;
    (void)(*idx)->dump([&](std::string_view key, std::string_view value) {
        if (value == module && util::glob_match(key, normalized)) out.emplace_back(key);
    });
    return out;
}

// Why each module of the lookup would load, in `modkit explain`'s terms, by module name.
std::map<std::string, std::string> provenance(resolve::Resolver& r, const std::string& modalias) {
    std::map<std::string, std::string> out;
    resolve::ProbeFlags flags;
    flags.apply_blacklist = true;
    auto ex = resolve::explain(r, modalias, flags);
    if (!ex) return out;
    for (const resolve::ExplainedModule& m : ex->modules) {
        std::string t = resolve::source_name(m.source);
        if (m.source == resolve::Source::Alias || m.source == resolve::Source::BuiltinAlias) {
            auto kind = m.source == resolve::Source::Alias ? index::IndexKind::Alias
                                                           : index::IndexKind::BuiltinAlias;
            for (const std::string& p : alias_patterns(r.dir(), kind, m.name, ex->normalized))
                t += " pattern " + p;
        } else if (m.alias && m.source == resolve::Source::ConfigAlias) {
            t += " " + *m.alias;
        }
        if (!m.origin.empty()) t += " [" + m.origin + "]";
        for (const config::Options* o : m.options)
            t += "; options '" + o->options + "' [" + origin_text(o->origin) + "]";
        if (m.softdep != nullptr) t += "; softdep [" + origin_text(m.softdep->origin) + "]";
        if (m.blacklist != nullptr)
            t += "; blacklist [" + origin_text(m.blacklist->origin) + "]" +
                 (m.blacklist_applies ? "" : " (not applied: named directly)");
        out[m.name] = t;
    }
    return out;
}

std::string errno_text(int err) {
    return std::strerror(err < 0 ? -err : err);
}

} // namespace

Loader::Loader(exec::System& sys, std::string root)
    : m_sys(sys)
    , m_root(std::move(root)) {
    reload();
}

void Loader::reload() {
    std::string dirname = m_root + "/lib/modules/" + m_sys.kernel_release();
    auto conf_dirs = config::default_config_dirs(config::ConfigKind::Modprobe, m_root);
    auto files = config::list_config_files(conf_dirs, {config::ConfigKind::Modprobe, dirname});
    auto cmdline = m_sys.read_file("/proc/cmdline");
    std::optional<std::string_view> kcmdline;
    if (cmdline) kcmdline = *cmdline;
    auto world = std::make_shared<World>(dirname, files, kcmdline);
    for (const auto& d : world->config.diagnostics())
        if (d.level <= LogLevel::Warning)
            util::Diag::log(d.level,
                            (d.file.empty() ? "" : d.file + ":" + std::to_string(d.line) + ": ") +
                                d.message);
    std::lock_guard lock(m_swap);
    m_world = std::move(world);
}

std::shared_ptr<Loader::World> Loader::current() {
    std::lock_guard lock(m_swap);
    return m_world;
}

RequestOutcome Loader::handle(const DeviceRequest& req) {
    RequestOutcome out;
    std::shared_ptr<World> w = current();
    std::vector<resolve::LoadItem> items;
    std::map<std::string, std::string> why;
    {
        std::lock_guard lock(w->mutex);
        config::LoadEntry entry{req.modalias, config::Origin{req.devpath, 0}};
        items = resolve::plan_load_list(w->resolver, std::span(&entry, 1));
    }
    // The provenance is for the log only: worked out after the load, so that it does not delay
    // the driver, and only when something was loaded or refused.
    auto explain_why = [&] {
        std::lock_guard lock(w->mutex);
        w->resolver.forget_modules();
        why = provenance(w->resolver, req.modalias);
        w->resolver.forget_modules();
    };
    const resolve::LoadItem& item = items.at(0);
    std::string device = "for " + req.devpath + " (" + req.modalias + ")";
    if (item.lookup_error) {
        out.log.emplace_back(LogLevel::Error,
                             "lookup failed " + device + ": " + item.lookup_error->describe());
        out.failed = true;
        return out;
    }
    if (item.targets.empty()) {
        out.log.emplace_back(LogLevel::Debug, "no module " + device);
        return out;
    }
    for (const std::string& m : item.messages)
        out.log.emplace_back(LogLevel::Error, m);

    // What was live before, to know afterwards what this request inserted.
    std::set<std::string> before;
    std::vector<std::pair<std::string, std::string>> candidates; // module, what it is for
    for (const resolve::LoadTarget& t : item.targets)
        for (const resolve::ProbeStep& s : t.plan.steps) {
            if (s.kind != resolve::StepKind::Insmod && s.kind != resolve::StepKind::Install)
                continue;
            if (exec::is_live(m_sys, s.name)) before.insert(s.name);
            candidates.emplace_back(s.name, s.is_target ? "" : t.name);
        }
    exec::LoadListOptions run;
    run.jobs = 1;
    auto outcomes = exec::run_load_list(items, m_sys, run);
    bool explained = false;
    for (const exec::TargetOutcome& o : outcomes.at(0).targets)
        if (!explained &&
            (o.result == exec::LoadResult::Inserted || o.result == exec::LoadResult::Blacklisted)) {
            explain_why();
            explained = true;
        }
    if (!explained)
        for (const auto& [mod, of] : candidates)
            if (!explained && !before.contains(mod) && exec::is_live(m_sys, mod)) {
                explain_why();
                explained = true;
            }

    std::set<std::string> reported;
    for (const auto& [mod, of] : candidates) {
        if (before.contains(mod) || reported.contains(mod) || !exec::is_live(m_sys, mod)) continue;
        reported.insert(mod);
        std::string reason = of.empty() ? device + ": " + (why.contains(mod) ? why[mod] : "lookup")
                                        : "as a dependency of " + of + " " + device;
        out.log.emplace_back(LogLevel::Info, "loaded " + mod + " " + reason);
        out.inserted.push_back({mod, reason});
    }
    for (size_t i = 0; i < item.targets.size(); ++i) {
        const std::string& mod = item.targets[i].name;
        const exec::TargetOutcome& o = outcomes.at(0).targets.at(i);
        for (const auto& [level, msg] : o.log)
            out.log.emplace_back(level, msg);
        switch (o.result) {
        case exec::LoadResult::BuiltIn:
            out.log.emplace_back(LogLevel::Debug, mod + " is built in, " + device);
            break;
        case exec::LoadResult::AlreadyLoaded:
            out.log.emplace_back(LogLevel::Debug, mod + " is already loaded, " + device);
            break;
        case exec::LoadResult::Inserted:
            break; // reported above, with its dependencies
        case exec::LoadResult::Blacklisted:
            out.log.emplace_back(LogLevel::Info,
                                 "not loading " + mod + " " + device + ": " +
                                     (why.contains(mod) ? why[mod] : "blacklisted"));
            break;
        case exec::LoadResult::Failed:
            out.log.emplace_back(o.err == -ENODEV ? LogLevel::Notice : LogLevel::Error,
                                 "failed to load " + mod + " " + device + ": " + errno_text(o.err));
            if (o.err != -ENODEV) out.failed = true;
            break;
        }
    }
    return out;
}

} // namespace modkit::daemon
