// What modprobe asks of its configuration (libkmod.c kmod_lookup_alias_from_*,
// libkmod-module.c kmod_module_get_*), and "modprobe -c" (tools/modprobe.c show_config).
#include "config/modprobe_config.hpp"

#include <fnmatch.h>

namespace modkit::config {

namespace {
// fnmatch(pattern, name, 0) on C strings; the views come from std::string or user input.
bool glob_match(const std::string& pattern, std::string_view name) {
    return fnmatch(pattern.c_str(), std::string(name).c_str(), 0) == 0;
}
} // namespace

std::vector<const Alias*> ModprobeConfig::aliases_matching(std::string_view name) const {
    std::vector<const Alias*> out;
    for (const Alias& alias : m_aliases)
        if (glob_match(alias.pattern, name)) out.push_back(&alias);
    return out;
}

std::vector<const Options*>
ModprobeConfig::options_entries(std::string_view name,
                                std::optional<std::string_view> alias) const {
    std::vector<const Options*> out;
    for (const Options& opt : m_options)
        if (opt.module == name || (alias && opt.module == *alias)) out.push_back(&opt);
    return out;
}

std::string ModprobeConfig::options_for(std::string_view name,
                                        std::optional<std::string_view> alias) const {
    std::string out;
    for (const Options* opt : options_entries(name, alias)) {
        if (opt->options.empty()) continue; // "mod." on the command line adds nothing
        if (!out.empty()) out += ' ';
        out += opt->options;
    }
    return out;
}

const Command* ModprobeConfig::command_for(CommandKind kind, std::string_view modname) const {
    for (const Command& cmd : kind == CommandKind::Install ? m_install : m_remove)
        if (glob_match(cmd.module, modname)) return &cmd;
    return nullptr;
}

const Command* ModprobeConfig::command_exact(CommandKind kind, std::string_view name) const {
    for (const Command& cmd : kind == CommandKind::Install ? m_install : m_remove)
        if (cmd.module == name) return &cmd;
    return nullptr;
}

const Blacklist* ModprobeConfig::blacklist_entry(std::string_view modname) const {
    for (const Blacklist& bl : m_blacklists)
        if (bl.module == modname) return &bl;
    return nullptr;
}

bool ModprobeConfig::is_blacklisted(std::string_view modname) const {
    return blacklist_entry(modname) != nullptr;
}

const Softdep* ModprobeConfig::softdep_for(std::string_view modname) const {
    for (const Softdep& dep : m_softdeps)
        if (glob_match(dep.module, modname)) return &dep;
    return nullptr;
}

const Weakdep* ModprobeConfig::weakdep_for(std::string_view modname) const {
    for (const Weakdep& dep : m_weakdeps)
        if (glob_match(dep.module, modname)) return &dep;
    return nullptr;
}

void ModprobeConfig::for_each_shown(const ShownFn& fn) const {
    for (const Blacklist& bl : m_blacklists)
        fn("blacklist", bl.module, nullptr, bl.origin);
    for (const Command& cmd : m_install)
        fn("install", cmd.module, &cmd.command, cmd.origin);
    for (const Command& cmd : m_remove)
        fn("remove", cmd.module, &cmd.command, cmd.origin);
    for (const Alias& alias : m_aliases)
        fn("alias", alias.pattern, &alias.module, alias.origin);
    for (const Options& opt : m_options)
        fn("options", opt.module, &opt.options, opt.origin);
    for (const Softdep& dep : m_softdeps)
        fn("softdep", dep.module, &dep.shown, dep.origin);
    for (const Weakdep& dep : m_weakdeps)
        fn("weakdep", dep.module, &dep.shown, dep.origin);
}

std::string ModprobeConfig::show_config() const {
    std::string out;
    for_each_shown([&out](std::string_view kind, std::string_view key, const std::string* value,
                          const Origin&) {
        out.append(kind).append(" ").append(key);
        if (value != nullptr) out.append(" ").append(*value);
        out += '\n';
    });
    return out;
}

} // namespace modkit::config
