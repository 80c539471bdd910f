// depmod.d, parsed as kmod's depmod does (tools/depmod.c cfg_file_parse / cfg_load), and the
// one question depmod asks of it while scanning: when two files provide the same module name,
// which one wins (depmod_module_is_higher_priority, reproduced rule for rule).
#pragma once

#include "config/config_files.hpp"
#include "config/diagnostic.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::config {

struct SearchEntry {
    enum class Type { Path, Builtin, External };
    Type type = Type::Path;
    std::string path; // a subdirectory of the module dir, for Type::Path
    Origin origin;    // no file for the implicit "updates"
};

// Only the override and external lines whose KVER matched the kernel version are kept, as
// kmod drops the others at parse time (with an INFO message).
struct Override {
    std::string module; // as written: NOT normalized, it must match the file's own spelling
    std::string kernel_pattern;
    std::string subdir;
    Origin origin;
};

struct External {
    std::string kernel_pattern;
    std::string dir;
    Origin origin;
};

struct Exclude {
    std::string name;
    Origin origin;
};

// Why a duplicate was resolved the way it was.
struct PriorityDecision {
    enum class Rule { Override, Search, Default };
    bool keep_existing = true;
    Rule rule = Rule::Default;
    std::optional<Origin> origin; // the override line that decided, for Rule::Override
    int existing_priority = -1;   // kmod's search indexes (larger wins), for Rule::Search
    int candidate_priority = -1;
};

class DepmodConfig {
public:
    explicit DepmodConfig(std::string kernel_version);

    // Reads and parses `files` in order (an unreadable one is an error message), then adds
    // the implicit "search updates" when no search word was seen.
    static DepmodConfig load(const FileList& files, std::string kernel_version);

    // One file's contents; `path` names it in origins and messages.
    void parse(const std::string& path, std::string_view text);
    // The end of kmod's cfg_load(): "updates" is searched first when nothing else is set.
    void finish();

    const std::string& kernel_version() const { return m_kernel_version; }
    const Diagnostics& diagnostics() const { return m_diagnostics; }
    // In file order (kmod keeps them reversed and gives later list positions more weight).
    const std::vector<SearchEntry>& searches() const { return m_searches; }
    const std::vector<Override>& overrides() const { return m_overrides; }
    const std::vector<External>& externals() const { return m_externals; }
    const std::vector<Exclude>& excludes() const { return m_excludes; }

    // The external directories in the order depmod scans them: the LAST line first.
    std::vector<std::string> external_dirs() const;
    // True for a directory entry depmod skips at any depth: ".", "..", "build", "source" and
    // every exclude name.
    bool is_excluded(std::string_view entry_name) const;

    // Two files give one module name: should the one found first (`existing`) be kept over
    // `candidate`? Paths are relative to `module_dir` or absolute (external modules).
    PriorityDecision compare(std::string_view module_dir, std::string_view existing,
                             std::string_view candidate) const;
    bool keeps_existing(std::string_view module_dir, std::string_view existing,
                        std::string_view candidate) const {
        return compare(module_dir, existing, candidate).keep_existing;
    }

private:
    bool kernel_matches(const std::string& pattern) const;
    void parse_line(const std::string& path, const std::string& text, unsigned line);

    std::string m_kernel_version;
    Diagnostics m_diagnostics;
    std::vector<SearchEntry> m_searches;
    std::vector<Override> m_overrides;
    std::vector<External> m_externals;
    std::vector<Exclude> m_excludes;
};

} // namespace modkit::config
