// A kernel configuration (.config, include/config/auto.conf, /boot/config-K): CONFIG_NAME=value
// lines, comments and blank lines. The ABI checks ask it what the target's module loader does:
// modversions, signature enforcement, forced loads, namespaces, in-kernel decompression.
#pragma once

#include "util/error.hpp"
#include "util/mapped_file.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace modkit::abi {

class KernelConfig {
public:
    // Maps and parses `path`: NotFound if missing, Corrupt (with the line) for a line that is
    // neither a comment nor CONFIG_<name>=<value>.
    static util::Expected<KernelConfig> load(const std::string& path);
    // Parses text in memory; `path` names it in errors.
    static util::Expected<KernelConfig> from_text(std::string text, std::string path);

    // #ifdef CONFIG_<name>: a bool option set to y (a tristate set to m defines <name>_MODULE).
    bool enabled(std::string_view name) const;
    // The value with surrounding double quotes removed; empty when unset.
    std::string value(std::string_view name) const;
    const std::string& path() const { return m_path; }

private:
    util::Expected<void> parse(std::string_view text);

    std::string m_path;
    util::MappedFile m_file;
    std::unique_ptr<std::string> m_text;
    std::unordered_map<std::string_view, std::string_view> m_values;
};

} // namespace modkit::abi
