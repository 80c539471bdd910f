// Gathering what `preflight` judges: the running system through a SysView (exec::System, or a
// directory with --basedir), the module trees and modprobe.d/modules-load.d through the readers
// of config/ and resolve/, DKMS's tree through dkms/. Only collection; abi/preflight decides.
#include "cli/preflight_facts.hpp"

#include "abi/target_files.hpp"
#include "config/config_files.hpp"
#include "config/modprobe_config.hpp"
#include "dkms/context.hpp"
#include "dkms/status.hpp"
#include "dkms/tree.hpp"
#include "module/cpio.hpp"
#include "module/module_file.hpp"
#include "util/atomic_file.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include "module/names.hpp"
#include "util/fs.hpp"
#include <algorithm>
#include <fnmatch.h>
#include <map>

namespace modkit::cli {
namespace {

std::string under(const std::string& root, const std::string& path) {
    return root == "/" ? path : root + path;
}

// pattern -> module names, from a modules.alias text file.
std::multimap<std::string, std::string> alias_lines(const std::string& file) {
    std::multimap<std::string, std::string> out;
    auto text = util::read_file(file);
    if (!text) return out;
    for (auto line : util::split(*text, '\n')) {
        auto f = util::split_any(line, " \t");
        if (f.size() == 3 && f[0] == "alias") out.emplace(std::string(f[1]), std::string(f[2]));
    }
    return out;
}

std::string tail_lines(const std::string& text, size_t n) {
    size_t pos = text.size();
    if (pos > 0 && text[pos - 1] == '\n') --pos;
    for (size_t i = 0; i < n && pos != std::string::npos && pos > 0; ++i)
        pos = text.rfind('\n', pos - 1);
    return pos == std::string::npos ? text : text.substr(pos + 1);
}

void gather_dkms(const PreflightContext& c, abi::PreflightInput& in) {
    dkms::Context ctx;
    ctx.dkms_tree = under(c.root, "/var/lib/dkms");
    ctx.source_tree = under(c.root, "/usr/src");
    ctx.install_tree = under(c.root, "/lib/modules");
    if (!util::is_directory(ctx.dkms_tree)) return;
    dkms::Tree tree{ctx};
    std::map<std::pair<std::string, std::string>, abi::DkmsEntry> by_version;
    for (const auto& line : dkms::collect_status(tree, {})) {
        auto& e = by_version[{line.module, line.version}];
        e.module = line.module;
        e.version = line.version;
        if (line.kernel != c.kernel) continue;
        using S = dkms::StatusLine::State;
        if (line.state == S::Installed)
            e.state = abi::DkmsEntry::State::Installed;
        else if (line.state == S::Built && e.state != abi::DkmsEntry::State::Installed)
            e.state = abi::DkmsEntry::State::Built;
    }
    for (auto& [key, e] : by_version) {
        if (e.state == abi::DkmsEntry::State::None) {
            // A failed build leaves its directory, make.log included, as build/.
            auto log = util::read_file(tree.build_dir(e.module, e.version) + "/make.log");
            if (log) {
                e.state = abi::DkmsEntry::State::Failed;
                e.log_tail = tail_lines(*log, 5);
            }
        }
        in.dkms.push_back(std::move(e));
    }
}

void gather_external(const PreflightContext& c, abi::PreflightInput& in) {
    std::string dir = abi::module_dir_for(c.root, in.running);
    abi::TreeListing running = abi::list_tree(dir);
    for (const auto& [name, rel] : running.modules) {
        std::string source;
        if (rel.starts_with("updates/dkms/"))
            source = "dkms";
        else if (rel.starts_with("updates/"))
            source = "updates";
        else if (rel.starts_with("extra/"))
            source = "extra";
        else if (rel.starts_with("weak-updates/"))
            source = "weak-updates";
        else
            continue;
        in.external.push_back({name, dir + "/" + rel, source});
    }
}

void gather_loaded(const PreflightContext& c, const resolve::SysView& sys,
                   abi::PreflightInput& in) {
    auto loaded = resolve::loaded_modules(sys);
    std::string running_dir = abi::module_dir_for(c.root, in.running);
    auto old_aliases = alias_lines(running_dir + "/modules.alias");
    auto new_aliases = alias_lines(c.target->module_dir() + "/modules.alias");
    std::map<std::string, std::set<std::string>> new_by_pattern;
    for (const auto& [pattern, m] : new_aliases)
        new_by_pattern[pattern].insert(m);
    for (const auto& name : loaded) {
        abi::LoadedModule m{name, {}};
        if (!c.target->has_module(name) && !c.target->is_builtin(name)) {
            std::set<std::string> found;
            for (const auto& [pattern, owner] : old_aliases)
                if (owner == name)
                    if (auto it = new_by_pattern.find(pattern); it != new_by_pattern.end())
                        found.insert(it->second.begin(), it->second.end());
            m.alias_matches.assign(found.begin(), found.end());
        }
        in.loaded.push_back(std::move(m));
    }
}

void gather_initramfs(const PreflightContext& c, abi::PreflightInput& in) {
    for (const std::string& f :
         {"/boot/initrd.img-" + c.kernel, "/boot/initramfs-" + c.kernel + ".img",
          abi::module_dir_for("/", c.kernel) + "/initrd"}) {
        if (util::target_exists(under(c.root, f))) {
            in.initramfs = under(c.root, f);
            break;
        }
    }
    if (in.initramfs.empty()) return;
    auto entries = module::list_initramfs_file(in.initramfs);
    if (!entries) {
        in.initramfs_error = entries.error().describe();
        return;
    }
    std::set<std::string> names;
    for (const auto& e : *entries)
        if (module::has_module_extension(e.name) &&
            e.name.find("/" + c.kernel + "/") != std::string::npos)
            names.insert(module::path_to_modname(e.name));
    in.initramfs_modules = std::move(names);
}

void gather_root(const PreflightContext& c, const resolve::SysView& sys,
                 const config::ModprobeConfig& config, abi::PreflightInput& in) {
    auto chain = resolve::root_chain(sys);
    if (!chain) return;
    in.root.known = true;
    in.root.description = chain->source + " (" + chain->fstype + ")";
    index::ModuleDirectory dir(c.target->module_dir());
    auto reports = resolve::match_devices(chain->devices, dir, &config, {});
    if (reports) {
        for (const auto& r : *reports) {
            abi::RootNeeds::Need need;
            need.what = r.device.modalias.empty() ? "driver " + r.device.driver : r.device.modalias;
            for (const auto& m : r.matches) {
                if (m.builtin)
                    need.builtin = true;
                else if (!m.blacklisted)
                    need.modules.push_back(m.name);
            }
            // A device driven now by a built-in driver that KVER matches to nothing is fine
            // when KVER has that driver built in too; without a driver it needs nothing.
            if (r.matches.empty() && r.device.driver.empty()) continue;
            if (r.matches.empty() && c.target->is_builtin(r.device.driver)) need.builtin = true;
            in.root.needs.push_back(std::move(need));
        }
    }
    abi::RootNeeds::Need fs;
    fs.what = chain->fstype + " file system";
    std::string fsmod = chain->fstype == "fuseblk" ? "fuse" : chain->fstype;
    if (c.target->is_builtin(fsmod))
        fs.builtin = true;
    else if (c.target->has_module(fsmod))
        fs.modules.push_back(fsmod);
    if (fs.builtin || !fs.modules.empty() || chain->fstype != "rootfs")
        in.root.needs.push_back(std::move(fs));
    for (const auto& layer : chain->stacked) {
        abi::RootNeeds::Need n;
        n.what = layer;
        std::string mod = layer.starts_with("dm-")  ? "dm_mod"
                          : layer.starts_with("md") ? "md_mod"
                                                    : "";
        if (mod.empty()) continue;
        if (c.target->is_builtin(mod))
            n.builtin = true;
        else
            n.modules.push_back(mod);
        in.root.needs.push_back(std::move(n));
    }
}

// Whether an alias of a modules.alias file (patterns may be globs) matches NAME, both
// normalized as modprobe's lookup normalizes them.
bool alias_matches(const std::multimap<std::string, std::string>& aliases,
                   const std::string& name) {
    auto key = module::alias_normalize(name);
    if (!key) return false;
    for (const auto& [pattern, owner] : aliases) {
        auto p = module::alias_normalize(pattern);
        if (p && fnmatch(p->c_str(), key->c_str(), 0) == 0) return true;
    }
    return false;
}

// Fills in what each reference resolves to in KVER and in the running kernel.
void resolve_config(const PreflightContext& c, const config::ModprobeConfig& cfg,
                    abi::PreflightInput& in) {
    std::string running_dir = abi::module_dir_for(c.root, in.running);
    abi::TreeListing running = abi::list_tree(running_dir);
    auto old_aliases = alias_lines(running_dir + "/modules.alias");
    auto new_aliases = alias_lines(c.target->module_dir() + "/modules.alias");
    std::set<std::string> installs;
    for (const auto& i : cfg.install_commands())
        installs.insert(abi::normalize_module_name(i.module));
    std::vector<abi::ConfigReference> kept;
    for (auto& ref : in.config) {
        // modprobe runs an install command instead of loading: no module is needed.
        if (ref.kind == "modules-load.d" && installs.contains(ref.module)) continue;
        if (c.target->has_module(ref.module) || c.target->is_builtin(ref.module)) {
            kept.push_back(std::move(ref));
            continue;
        }
        ref.target_alias = alias_matches(new_aliases, ref.module);
        ref.running_has =
            !running.exists || running.modules.contains(ref.module) ||
            std::binary_search(running.builtin.begin(), running.builtin.end(), ref.module) ||
            alias_matches(old_aliases, ref.module);
        // An install command for a name no kernel has defines a command, not a module.
        if (ref.kind == "install" && !ref.running_has) continue;
        kept.push_back(std::move(ref));
    }
    in.config = std::move(kept);
}

void gather_config(const PreflightContext& c, const config::ModprobeConfig& cfg,
                   abi::PreflightInput& in) {
    for (const auto& a : cfg.aliases())
        in.config_aliases.insert(a.pattern);
    for (const auto& o : cfg.options())
        if (o.origin.line != 0) in.config.push_back({"options", o.module, o.origin.describe()});
    for (const auto& b : cfg.blacklists())
        if (b.origin.line != 0) in.config.push_back({"blacklist", b.module, b.origin.describe()});
    for (const auto& i : cfg.install_commands())
        if (i.module.find_first_of("*?[") == std::string::npos)
            in.config.push_back({"install", i.module, i.origin.describe()});
    // modules-load.d (systemd) and Debian's /etc/modules: one module name per line.
    std::vector<std::string> files;
    for (const char* dir :
         {"/etc/modules-load.d", "/run/modules-load.d", "/usr/local/lib/modules-load.d",
          "/usr/lib/modules-load.d", "/lib/modules-load.d"}) {
        auto names = resolve::directory_view(c.root).list_dir(dir);
        if (!names) continue;
        for (const auto& n : *names)
            if (n.ends_with(".conf")) files.push_back(under(c.root, std::string(dir) + "/" + n));
    }
    files.push_back(under(c.root, "/etc/modules"));
    for (const auto& f : files) {
        auto text = util::read_file(f);
        if (!text) continue;
        unsigned line_no = 0;
        for (auto line : util::split(*text, '\n')) {
            ++line_no;
            auto t = util::trim(line);
            if (t.empty() || t.starts_with('#') || t.starts_with(';')) continue;
            std::string name = abi::normalize_module_name(util::first_word(t));
            in.config.push_back({"modules-load.d", name, f + ":" + std::to_string(line_no)});
        }
    }
    resolve_config(c, cfg, in);
}

} // namespace

abi::PreflightInput gather_preflight(const PreflightContext& c) {
    abi::PreflightInput in;
    auto release = c.sys.read_file("/proc/sys/kernel/osrelease");
    in.running = release ? std::string(util::trim(*release)) : std::string();
    config::ListOptions lo;
    auto dirs =
        config::default_config_dirs(config::ConfigKind::Modprobe, c.root == "/" ? "" : c.root);
    auto files = config::list_config_files(dirs, lo);
    config::ModprobeConfig cfg = config::ModprobeConfig::load(files, std::nullopt);
    gather_loaded(c, c.sys, in);
    gather_external(c, in);
    gather_dkms(c, in);
    gather_initramfs(c, in);
    gather_root(c, c.sys, cfg, in);
    gather_config(c, cfg, in);
    return in;
}

} // namespace modkit::cli
