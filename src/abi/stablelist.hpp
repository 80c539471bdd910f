// A kABI stablelist: the symbols a distribution promises to keep stable across the updates of
// one kernel series, in the format RHEL ships in kernel-abi-stablelists
// (/lib/modules/kabi-current/kabi_stablelist_<arch>, formerly kabi_whitelist_<arch>):
//   file    = *( section / symbol / comment / blank )
//   section = "[" name "]" LF                 ; e.g. [rhel9_x86_64_stablelist]
//   symbol  = 1*WSP identifier LF             ; a symbol of the section, indented by a TAB
//   comment = "#" *CHAR LF
// An unindented identifier is accepted too. Any other line is an error naming file and line.
#pragma once

#include "util/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace modkit::abi {

class Stablelist {
public:
    static util::Expected<Stablelist> load(const std::string& path);
    static util::Expected<Stablelist> parse(std::string_view text, const std::string& path);
    // Adds another list's symbols (several files give their union).
    void merge(const Stablelist& other);

    bool contains(std::string_view symbol) const;
    size_t size() const { return m_symbols.size(); }
    const std::vector<std::string>& sections() const { return m_sections; }

private:
    std::vector<std::string> m_symbols; // sorted, unique
    std::vector<std::string> m_sections;
};

} // namespace modkit::abi
