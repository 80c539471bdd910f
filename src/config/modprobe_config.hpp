// modprobe.d, modules.softdep/weakdep and the kernel command line, parsed as libkmod does
// (libkmod-config.c), with every directive kept in file order together with its origin, and
// the queries modprobe asks of them (first-match and all-match rules as in libkmod-module.c).
#pragma once

#include "config/config_files.hpp"
#include "config/diagnostic.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::config {

struct Alias {
    std::string pattern; // fnmatch() pattern, after underscores()
    std::string module;
    Origin origin;
};

struct Options {
    std::string module;  // exact name or config-alias pattern, after underscores()
    std::string options; // raw, tabs turned into spaces; "param[=value]" from the command line
    Origin origin;
};

struct Command {
    std::string module;  // fnmatch() pattern
    std::string command; // raw shell text, $CMDLINE_OPTS not substituted
    Origin origin;
};

struct Blacklist {
    std::string module; // from modprobe.blacklist= it is NOT normalized
    Origin origin;
};

struct Softdep {
    std::string module; // fnmatch() pattern
    std::string raw;    // the text after the module name, as written
    std::vector<std::string> pre;
    std::vector<std::string> post;
    std::string shown; // softdep_to_char(), spacing bug included: "pre: apost: b"
    Origin origin;
};

struct Weakdep {
    std::string module; // fnmatch() pattern
    std::string raw;
    std::vector<std::string> deps;
    std::string shown;
    Origin origin;
};

enum class CommandKind { Install, Remove };

// What "modprobe -c" prints between the directives and the index dumps.
inline constexpr std::string_view k_show_config_trailer =
    "\n# End of configuration files. Dumping indexes now:\n\n";

class ModprobeConfig {
public:
    // Reads and parses `files` in order (an unreadable file is skipped silently, as libkmod
    // does), then `kcmdline` (the text of /proc/cmdline) when given. The listing's
    // diagnostics come first in diagnostics().
    static ModprobeConfig load(const FileList& files, std::optional<std::string_view> kcmdline);

    // One file's contents; `path` names it in origins and messages.
    void parse(const std::string& path, std::string_view text);
    // The kernel command line; at most its first 4095 bytes are read, as kmod does.
    void parse_kcmdline(std::string_view cmdline);

    const Diagnostics& diagnostics() const { return m_diagnostics; }
    const std::vector<Alias>& aliases() const { return m_aliases; }
    const std::vector<Options>& options() const { return m_options; }
    const std::vector<Command>& install_commands() const { return m_install; }
    const std::vector<Command>& remove_commands() const { return m_remove; }
    const std::vector<Blacklist>& blacklists() const { return m_blacklists; }
    const std::vector<Softdep>& softdeps() const { return m_softdeps; }
    const std::vector<Weakdep>& weakdeps() const { return m_weakdeps; }

    // Every alias whose pattern fnmatch()es `name`, in file order.
    std::vector<const Alias*> aliases_matching(std::string_view name) const;
    // The entries whose module is exactly `name` or exactly `alias` (when given), in order.
    std::vector<const Options*> options_entries(std::string_view name,
                                                std::optional<std::string_view> alias = {}) const;
    // Those entries' non-empty strings joined by single spaces (kmod_module_get_options).
    std::string options_for(std::string_view name,
                            std::optional<std::string_view> alias = {}) const;
    // The first command whose pattern fnmatch()es `modname`, or null.
    const Command* command_for(CommandKind kind, std::string_view modname) const;
    // The first command whose module is exactly `name` (kmod_lookup_alias_from_commands).
    const Command* command_exact(CommandKind kind, std::string_view name) const;
    // Exact compare against every blacklist entry.
    bool is_blacklisted(std::string_view modname) const;
    const Blacklist* blacklist_entry(std::string_view modname) const;
    // The FIRST entry whose pattern matches: later ones are ignored (kmod issue #33).
    const Softdep* softdep_for(std::string_view modname) const;
    const Weakdep* weakdep_for(std::string_view modname) const;

    // The configuration part of "modprobe -c" (show_config); weakdep lines only when present.
    std::string show_config() const;
    // Each entry -c shows, in its order: command, module (or pattern), the rest of the line as
    // -c prints it (null for blacklist) and where it came from. show_config() and -c --json.
    using ShownFn = std::function<void(std::string_view command, std::string_view module,
                                       const std::string* value, const Origin& origin)>;
    void for_each_shown(const ShownFn& fn) const;

private:
    void bad_line(const std::string& path, unsigned line, std::string_view cmd);
    void parse_line(const std::string& path, const std::string& text, unsigned line);
    void add_kcmdline_result(std::string modname, std::string param, std::string_view value);

    Diagnostics m_diagnostics;
    std::vector<Alias> m_aliases;
    std::vector<Options> m_options;
    std::vector<Command> m_install;
    std::vector<Command> m_remove;
    std::vector<Blacklist> m_blacklists;
    std::vector<Softdep> m_softdeps;
    std::vector<Weakdep> m_weakdeps;
};

// kmod's two-pass softdep splitter (kmod_config_add_softdep), quirks included: exactly one
// blank before the first keyword glues it to that blank, so the keyword is not recognised.
Softdep parse_softdep(std::string module, std::string_view rest, Origin origin);
Weakdep parse_weakdep(std::string module, std::string_view rest, Origin origin);

} // namespace modkit::config
