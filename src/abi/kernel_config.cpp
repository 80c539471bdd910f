// Kernel configuration parsing: one pass over the mapped file, names and values kept as views.
#include "abi/kernel_config.hpp"
#include "util/strings.hpp"

#include <cstring>

namespace modkit::abi {
namespace {

bool is_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

} // namespace

util::Expected<KernelConfig> KernelConfig::load(const std::string& path) {
    auto file = util::MappedFile::open(path);
    if (!file) return util::fail(std::move(file.error()));
    KernelConfig cfg;
    cfg.m_path = path;
    cfg.m_file = std::move(*file);
    if (auto done = cfg.parse(cfg.m_file.chars()); !done) return util::fail(done.error());
    return cfg;
}

util::Expected<KernelConfig> KernelConfig::from_text(std::string text, std::string path) {
    KernelConfig cfg;
    cfg.m_path = std::move(path);
    cfg.m_text = std::make_unique<std::string>(std::move(text));
    if (auto done = cfg.parse(*cfg.m_text); !done) return util::fail(done.error());
    return cfg;
}

util::Expected<void> KernelConfig::parse(std::string_view text) {
    util::LineCursor lines(text);
    for (std::string_view line; lines.next(line);) {
        const unsigned line_no = lines.number();
        if (line.empty() || line[0] == '#') continue;
        size_t eq = line.find('=');
        std::string_view name = line.substr(0, eq);
        bool ok = eq != std::string_view::npos && name.starts_with("CONFIG_") && name.size() > 7;
        for (char c : name)
            ok = ok && is_name_char(c);
        if (!ok)
            return util::fail(util::ErrorKind::Corrupt, EINVAL, m_path,
                              "expected CONFIG_<name>=<value>", line_no);
        m_values.emplace(name.substr(7), line.substr(eq + 1));
    }
    return {};
}

bool KernelConfig::enabled(std::string_view name) const {
    auto it = m_values.find(name);
    return it != m_values.end() && it->second == "y";
}

std::string KernelConfig::value(std::string_view name) const {
    auto it = m_values.find(name);
    if (it == m_values.end()) return {};
    std::string_view v = it->second;
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return std::string(v);
}

} // namespace modkit::abi
