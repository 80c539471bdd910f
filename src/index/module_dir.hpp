// The indexes of one module directory (/lib/modules/<version>): modules.dep.bin,
// modules.alias.bin, modules.symbols.bin, modules.builtin.bin and modules.builtin.alias.bin,
// each opened on first use. A missing index is "no answer" (libkmod moves on to the next
// source); a corrupt one is an error the caller reports.
#pragma once

#include "index/reader.hpp"

#include <array>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <utility>
#include <vector>

namespace modkit::index {

enum class IndexKind { Dep, Alias, Symbols, Builtin, BuiltinAlias };
inline constexpr size_t k_index_kinds = 5;

// "modules.dep" etc.; the file is this name plus ".bin".
const char* index_base_name(IndexKind kind);
// modules.builtin, modules.builtin.alias and modules.symbols: a directory works without them,
// and one that cannot be opened as an index counts as absent. modules.dep and modules.alias
// are mandatory: a corrupt one is an error.
bool is_optional(IndexKind kind);

// One modules.dep line, split.
struct DepLine {
    std::string path;              // absolute: dirname + '/' + relative path (or as given)
    std::vector<std::string> deps; // same form, in file order
};

class ModuleDirectory {
public:
    explicit ModuleDirectory(std::string dirname);
    ModuleDirectory(ModuleDirectory&&) = default;

    const std::string& dirname() const { return m_dirname; }
    std::string file(std::string_view name) const { return m_dirname + "/" + std::string(name); }

    // The reader for `kind`, or nullptr if the file does not exist or cannot be opened.
    // A mandatory index that exists but is corrupt is returned as an Error; an optional one
    // whose header is unusable is nullptr, as libkmod treats it.
    util::Expected<const IndexReader*> index(IndexKind kind) const;
    // libkmod's rule for lookups: an index whose header cannot be read (too short, bad magic or
    // version) gives no answer, like a missing one, instead of an error. Damage found later,
    // inside the trie, is still an error.
    void set_bad_header_is_missing(bool on) { m_bad_header_is_missing = on; }

    // The modules.dep.bin line for a module name, parsed; nullopt if absent.
    util::Expected<std::optional<DepLine>> dep(std::string_view modname) const;
    // True if modules.builtin.bin lists the name.
    util::Expected<bool> is_builtin(std::string_view modname) const;

    // Opens `kind` now and keeps it open (kmod_load_resources); an index already open stays.
    // Fails with the open's error: ENOENT when missing, EINVAL for a bad header. Only the
    // header is read: the file is mapped on first use, from the descriptor opened here, so a
    // context that is created, loaded and dropped (a common pattern) never maps anything, and
    // later lookups still see the file as it was when it was loaded.
    util::Expected<void> load(IndexKind kind);
    // Closes every index (kmod_unload_resources); the next use opens the file again.
    void unload();
    // The status (mtime) of the open index file, or null when `kind` is not open.
    const struct stat* open_stat(IndexKind kind) const;

    // Joins a modules.dep path with the directory (absolute paths stay as they are).
    std::string join(std::string_view relpath) const;

private:
    // A loaded index not mapped yet: its open descriptor and status.
    struct Pending {
        Pending() = default;
        Pending(Pending&& o) noexcept
            : fd(std::exchange(o.fd, -1))
            , st(o.st) {}
        Pending& operator=(Pending&& o) noexcept;
        ~Pending();
        int fd = -1;
        struct stat st {};
    };

    std::string m_dirname;
    mutable std::array<std::optional<util::Expected<IndexReader>>, k_index_kinds> m_indexes;
    mutable std::array<Pending, k_index_kinds> m_pending;
    bool m_bad_header_is_missing = false;
};

// Splits a raw modules.dep line "path: dep dep" (no joining).
DepLine parse_dep_line(std::string_view line);

} // namespace modkit::index
