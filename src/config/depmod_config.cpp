// Parsing depmod.d: search, override, external, exclude (tools/depmod.c cfg_file_parse).
#include "config/depmod_config.hpp"

#include "config/line_reader.hpp"
#include "util/mapped_file.hpp"
#include "util/regex.hpp"

#include <cstring>

namespace modkit::config {

DepmodConfig::DepmodConfig(std::string kernel_version)
    : m_kernel_version(std::move(kernel_version)) {}

DepmodConfig DepmodConfig::load(const FileList& files, std::string kernel_version) {
    DepmodConfig config(std::move(kernel_version));
    config.m_diagnostics = files.diagnostics;
    for (const ConfigFile& file : files.files) {
        auto text = util::read_file(file.path);
        if (!text) {
            config.m_diagnostics.push_back(
                {util::LogLevel::Error, file.path, 0,
                 "file parse " + file.path + ": " + std::strerror(text.error().sys_errno)});
            continue;
        }
        config.parse(file.path, *text);
    }
    config.finish();
    return config;
}

void DepmodConfig::parse(const std::string& path, std::string_view text) {
    LineReader reader(text);
    LogicalLine line;
    while (reader.next(line))
        parse_line(path, line.text, line.line);
}

void DepmodConfig::finish() {
    // Only when no search WORD was seen: an empty "search" line does not count.
    if (m_searches.empty()) m_searches.push_back({SearchEntry::Type::Path, "updates", {}});
}

bool DepmodConfig::kernel_matches(const std::string& pattern) const {
    if (pattern == "*") return true; // the old style
    return util::regex_search(m_kernel_version, pattern);
}

void DepmodConfig::parse_line(const std::string& path, const std::string& text, unsigned line) {
    if (text.empty() || text[0] == '#') return;
    Tokenizer tok(text);
    auto cmd = tok.word();
    if (!cmd) return;
    const std::string where = path + ":" + std::to_string(line) + ": ";
    auto message = [&](util::LogLevel level, const std::string& msg) {
        m_diagnostics.push_back({level, path, line, where + msg});
    };
    Origin origin{path, line};
    if (*cmd == "search") {
        while (auto word = tok.word()) {
            SearchEntry::Type type = *word == "built-in"   ? SearchEntry::Type::Builtin
                                     : *word == "external" ? SearchEntry::Type::External
                                                           : SearchEntry::Type::Path;
            std::string dir = type == SearchEntry::Type::Path ? std::string(*word) : "";
            m_searches.push_back({type, std::move(dir), origin});
        }
    } else if (*cmd == "override") {
        auto modname = tok.word();
        auto version = tok.word();
        auto subdir = tok.word();
        if (!modname || !version || !subdir) {
            message(util::LogLevel::Error,
                    "ignoring bad line starting with '" + std::string(*cmd) + "'");
        } else if (!kernel_matches(std::string(*version))) {
            message(util::LogLevel::Info, "override kernel did not match " + std::string(*version));
        } else {
            m_overrides.push_back({std::string(*modname), std::string(*version),
                                   std::string(*subdir), std::move(origin)});
        }
    } else if (*cmd == "external") {
        auto version = tok.word();
        auto dir = tok.word();
        if (!version || !dir) {
            message(util::LogLevel::Error,
                    "ignoring bad line starting with '" + std::string(*cmd) + "'");
        } else if (!kernel_matches(std::string(*version))) {
            message(util::LogLevel::Info,
                    "external directory did not match " + std::string(*version));
        } else {
            m_externals.push_back({std::string(*version), std::string(*dir), std::move(origin)});
        }
    } else if (*cmd == "exclude") {
        while (auto word = tok.word())
            m_excludes.push_back({std::string(*word), origin});
    } else if (*cmd == "include" || *cmd == "make_map_files") {
        message(util::LogLevel::Info, "command " + std::string(*cmd) + " not implemented yet");
    } else {
        message(util::LogLevel::Error,
                "ignoring bad line starting with '" + std::string(*cmd) + "'");
    }
}

std::vector<std::string> DepmodConfig::external_dirs() const {
    std::vector<std::string> dirs;
    for (auto it = m_externals.rbegin(); it != m_externals.rend(); ++it)
        dirs.push_back(it->dir);
    return dirs;
}

bool DepmodConfig::is_excluded(std::string_view name) const {
    if (name == "." || name == ".." || name == "build" || name == "source") return true;
    for (const Exclude& exc : m_excludes)
        if (exc.name == name) return true;
    return false;
}

} // namespace modkit::config
