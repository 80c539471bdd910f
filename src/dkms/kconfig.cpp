// Kernel config parsing: only "NAME=value" lines count; comments ("# CONFIG_X is not set")
// and anything else are skipped.
#include "dkms/kconfig.hpp"

#include "util/mapped_file.hpp"
#include "util/strings.hpp"

namespace modkit::dkms {

KernelConfig KernelConfig::load(const std::string& path) {
    auto data = util::read_file(path);
    if (!data) return {};
    return parse(*data);
}

KernelConfig KernelConfig::parse(std::string_view text) {
    KernelConfig kc;
    for (std::string_view line : util::split(text, '\n')) {
        if (line.empty() || line[0] == '#') continue;
        size_t eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        kc.m_values.emplace(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
    }
    return kc;
}

std::string KernelConfig::value(std::string_view name) const {
    auto it = m_values.find(std::string(name));
    if (it == m_values.end()) return {};
    std::string v = it->second;
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
}

bool KernelConfig::enabled(std::string_view name) const {
    auto it = m_values.find(std::string(name));
    return it != m_values.end() && !it->second.empty() &&
           (it->second[0] == 'y' || it->second[0] == 'm');
}

} // namespace modkit::dkms
