// preflight(): one pass over each kind of fact, each producing items; only "Loss" items make
// the report say the next boot would lose something.
#include "abi/preflight.hpp"

#include "abi/predict.hpp"

#include <algorithm>

namespace modkit::abi {
namespace {

class Builder {
public:
    Builder(const KernelTarget& t, PreflightReport& r)
        : m_t(t)
        , m_r(r) {}

    void add(std::string section, std::string subject, Severity s, std::string message) {
        m_r.items.push_back({std::move(section), std::move(subject), s, std::move(message)});
    }
    bool kernel_has(const std::string& name) const {
        return m_t.has_module(name) || m_t.is_builtin(name);
    }

    void loaded(const std::vector<LoadedModule>& mods) {
        for (const auto& m : mods) {
            if (m_t.has_module(m.name)) {
                ++m_r.loaded_present;
            } else if (m_t.is_builtin(m.name)) {
                ++m_r.loaded_builtin;
                add("loaded", m.name, Severity::Info, "built into " + m_t.release());
            } else if (!m.alias_matches.empty()) {
                ++m_r.loaded_renamed;
                std::string names;
                for (const auto& n : m.alias_matches)
                    names += (names.empty() ? "" : ", ") + n;
                add("loaded", m.name, Severity::Warning,
                    "renamed: " + m_t.release() + " has no " + m.name + ", but " + names +
                        " answers to its aliases");
            } else {
                ++m_r.loaded_gone;
                add("loaded", m.name, Severity::Loss,
                    "loaded now, but " + m_t.release() + " has no module or built-in driver " +
                        m.name);
            }
        }
    }

    void external(const std::vector<ExternalModule>& mods) {
        for (const auto& m : mods) {
            auto it = m_t.modules().find(m.name);
            if (it == m_t.modules().end()) {
                if (m_t.is_builtin(m.name))
                    add("external", m.name, Severity::Info,
                        m.source + " module; " + m_t.release() + " has it built in");
                else
                    add("external", m.name, Severity::Loss,
                        m.source + " module " + m.path + " has no build for " + m_t.release());
                continue;
            }
            const std::string& rel = it->second;
            if (rel.starts_with("kernel/")) {
                add("external", m.name, Severity::Warning,
                    m.source + " module; " + m_t.release() + " has only its own in-tree " + m.name +
                        " (" + rel + ")");
                continue;
            }
            auto p = predict_file(m_t, m_t.module_dir() + "/" + rel);
            if (!p) {
                add("external", m.name, Severity::Loss,
                    "the build for " + m_t.release() + " cannot be read: " + p.error().describe());
            } else if (p->verdict == Verdict::Refused) {
                std::string why;
                for (const auto& f : p->findings)
                    if (f.effect == Effect::Refuse) {
                        why = f.message;
                        break;
                    }
                add("external", m.name, Severity::Loss,
                    rel + " would be refused by " + m_t.release() + ": " + why);
            } else {
                add("external", m.name, Severity::Info,
                    rel + " " +
                        (p->verdict == Verdict::Loads ? "loads" : "loads, taints " + p->taints));
            }
        }
    }

    void dkms(const std::vector<DkmsEntry>& entries) {
        for (const auto& e : entries) {
            std::string who = e.module + "/" + e.version;
            switch (e.state) {
            case DkmsEntry::State::Installed:
                add("dkms", who, Severity::Info, "installed for " + m_t.release());
                break;
            case DkmsEntry::State::Built:
                add("dkms", who, Severity::Loss,
                    "built for " + m_t.release() + " but not installed");
                break;
            case DkmsEntry::State::Failed:
                add("dkms", who, Severity::Loss,
                    "the build for " + m_t.release() + " failed" +
                        (e.log_tail.empty() ? "" : "; last lines of its log:\n" + e.log_tail));
                break;
            case DkmsEntry::State::None:
                add("dkms", who, Severity::Loss, "not built for " + m_t.release());
                break;
            }
        }
    }

    void initramfs(const PreflightInput& in) {
        if (in.initramfs.empty()) {
            add("initramfs", "", Severity::Loss, m_t.release() + " has no initramfs");
            return;
        }
        if (!in.initramfs_modules) {
            add("initramfs", in.initramfs, Severity::Warning,
                "cannot be read: " + in.initramfs_error);
            return;
        }
        if (!in.root.known) {
            add("initramfs", in.initramfs, Severity::Info,
                "present; the root file system's devices could not be read");
            return;
        }
        std::vector<std::string> missing;
        for (const auto& need : in.root.needs) {
            if (need.builtin) continue;
            if (need.modules.empty()) {
                add("initramfs", in.initramfs, Severity::Loss,
                    "the root file system needs " + need.what + ", which " + m_t.release() +
                        " cannot drive");
                continue;
            }
            bool inside =
                std::any_of(need.modules.begin(), need.modules.end(), [&](const std::string& m) {
                    return in.initramfs_modules->contains(m);
                });
            if (!inside) missing.push_back(need.modules.front() + " (for " + need.what + ")");
        }
        if (!missing.empty()) {
            std::string list;
            for (const auto& m : missing)
                list += (list.empty() ? "" : ", ") + m;
            add("initramfs", in.initramfs, Severity::Loss,
                "lacks modules the root file system " + in.root.description + " needs: " + list);
        } else {
            add("initramfs", in.initramfs, Severity::Info,
                "holds what the root file system " + in.root.description + " needs");
        }
    }

    void config(const PreflightInput& in) {
        for (const auto& ref : in.config) {
            if (kernel_has(ref.module) || ref.target_alias ||
                in.config_aliases.contains(ref.module))
                continue;
            if (!ref.running_has) {
                add("config", ref.origin, Severity::Warning,
                    ref.kind + " names " + ref.module + ", which neither " + in.running + " nor " +
                        m_t.release() + " has");
                continue;
            }
            // A module that stopped loading at boot is a loss; a stale option or blacklist
            // line is only noise.
            Severity s = ref.kind == "modules-load.d" ? Severity::Loss : Severity::Warning;
            add("config", ref.origin, s,
                ref.kind + " names " + ref.module + ", which " + m_t.release() + " does not have");
        }
    }

private:
    const KernelTarget& m_t;
    PreflightReport& m_r;
};

} // namespace

bool PreflightReport::loses_something() const {
    return std::any_of(items.begin(), items.end(),
                       [](const PreflightItem& i) { return i.severity == Severity::Loss; });
}

PreflightReport preflight(const KernelTarget& target, const PreflightInput& input) {
    PreflightReport r;
    r.kernel = target.release();
    r.running = input.running;
    Builder b(target, r);
    b.loaded(input.loaded);
    b.external(input.external);
    b.dkms(input.dkms);
    b.initramfs(input);
    b.config(input);
    return r;
}

} // namespace modkit::abi
