// Module.symvers: the CRC of every symbol a kernel build exports (vmlinux and in-tree modules),
// as modpost writes it. modkit reads it to check the __versions table of a built module against
// the kernel it is installed into.
//
// Grammar (scripts/mod/modpost.c, write_dump), one symbol per line:
//   line      = crc TAB symbol TAB module TAB export-type [TAB namespace] LF   ; kernel >= 5.10
//             / crc TAB symbol TAB namespace TAB module TAB export-type LF     ; 5.4 .. 5.9
//             / crc TAB symbol TAB module TAB export-type LF                   ; before 5.4
//   crc       = "0x" 1*16HEXDIG          ; printed as 0x%08x
//   export-type = "EXPORT_SYMBOL" / "EXPORT_SYMBOL_GPL" / ...
// The namespace field is present but empty for most symbols (a trailing TAB). Empty lines are
// skipped; any other line that does not match is an error naming the file and line.
#pragma once

#include "util/error.hpp"
#include "util/mapped_file.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modkit::abi {

struct SymversEntry {
    std::string_view symbol;
    uint64_t crc = 0;
    std::string_view module;      // "vmlinux" or the module's path without .ko
    std::string_view export_type; // EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, ...
    std::string_view name_space;  // empty when the symbol has no namespace
};

class Symvers {
public:
    // Maps and parses `path`. NotFound if it does not exist; Corrupt (with the line) for a line
    // that does not follow the grammar above.
    static util::Expected<Symvers> load(const std::string& path);
    // Parses text already in memory (a decompressed /boot/symvers-K.gz, a test); `path` names
    // it in errors.
    static util::Expected<Symvers> from_text(std::string text, std::string path);

    // The entry for `symbol`, or nullptr. With duplicates, the first line wins.
    const SymversEntry* find(std::string_view symbol) const;
    size_t size() const { return m_entries.size(); }
    const std::vector<SymversEntry>& entries() const { return m_entries; } // in file order
    const std::string& path() const { return m_path; }

private:
    util::Expected<void> parse(std::string_view text);

    std::string m_path;
    // The entries' string_views point into one of these; both keep their bytes when moved.
    util::MappedFile m_file;
    std::unique_ptr<std::string> m_text;
    std::vector<SymversEntry> m_entries;
    std::vector<std::pair<uint64_t, uint32_t>> m_index; // (hash of symbol, entry), sorted
};

} // namespace modkit::abi
