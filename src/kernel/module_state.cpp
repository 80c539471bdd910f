// Module state from /sys/module and /proc/modules, with libkmod's parsing rules and messages
// (kmod_module_get_initstate, _get_refcnt, _get_holders, _get_size, _new_from_loaded).
#include "kernel/module_state.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace modkit::kernel {

namespace {

using util::LogLevel;

std::string sys_module(std::string_view name) {
    return "/sys/module/" + std::string(name);
}

// read_str_safe(): at most 31 bytes of the file, as libkmod reads sysfs attributes.
std::string first_bytes(const std::string& content) {
    return content.substr(0, 31);
}

// read_str_long(): strtol that must stop at whitespace (sysfs values end in '\n').
std::expected<long, int> parse_long(const std::string& content) {
    std::string buf = first_bytes(content);
    char* end = nullptr;
    long v = std::strtol(buf.c_str(), &end, 10);
    if (end == buf.c_str() || !std::isspace(static_cast<unsigned char>(*end)))
        return std::unexpected(-EINVAL);
    return v;
}

// strtok_r(line, " \t") fields.
std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        if (i == line.size()) break;
        size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t')
            ++j;
        out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

// The lines of a file, each with its '\n' (the last one may lack it), as fgets returns them.
std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < text.size()) {
        size_t nl = text.find('\n', i);
        size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        out.push_back(text.substr(i, end - i));
        i = end;
    }
    return out;
}

std::string_view chomp(std::string_view s) {
    if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
    return s;
}

} // namespace

std::string_view initstate_name(InitState s) {
    switch (s) {
    case InitState::Live:
        return "live";
    case InitState::Coming:
        return "coming";
    case InitState::Going:
        return "going";
    }
    return "";
}

std::expected<InitState, int> initstate(System& sys, std::string_view name,
                                        const util::LogFn& log) {
    const std::string dir = sys_module(name);
    const std::string path = dir + "/initstate";
    auto content = sys.read_file(path);
    if (!content) {
        if (sys.is_dir(dir)) return InitState::Coming;
        int err = content.error().sys_errno != 0 ? content.error().sys_errno : ENOENT;
        return std::unexpected(-err);
    }
    std::string buf = first_bytes(*content);
    if (buf == "live\n") return InitState::Live;
    if (buf == "coming\n") return InitState::Coming;
    if (buf == "going\n") return InitState::Going;
    util::emit(log, LogLevel::Error, "unknown " + path + ": '" + buf + "'");
    return std::unexpected(-EINVAL);
}

int refcnt(System& sys, std::string_view name, const util::LogFn& log) {
    const std::string path = sys_module(name) + "/refcnt";
    auto content = sys.read_file(path);
    if (!content) return -(content.error().sys_errno != 0 ? content.error().sys_errno : ENOENT);
    auto v = parse_long(*content);
    if (!v) {
        util::emit(log, LogLevel::Error,
                   "could not read integer from '" + path + "': '" + std::strerror(-v.error()) +
                       "'");
        return v.error();
    }
    return static_cast<int>(*v);
}

std::expected<std::vector<std::string>, int> holders(System& sys, std::string_view name,
                                                     const util::LogFn& log) {
    const std::string path = sys_module(name) + "/holders";
    auto entries = sys.list_dir(path);
    if (!entries) {
        int err = entries.error().sys_errno != 0 ? entries.error().sys_errno : ENOENT;
        util::emit(log, LogLevel::Error, "could not open '" + path + "': " + std::strerror(err));
        return std::unexpected(-err);
    }
    return std::move(*entries);
}

long module_size(System& sys, std::string_view name, const util::LogFn& log) {
    const std::string dir = sys_module(name);
    if (!sys.is_dir(dir)) return -ENOENT;
    if (auto core = sys.read_file(dir + "/coresize")) {
        auto v = parse_long(*core);
        if (!v) {
            util::emit(log, LogLevel::Error, "failed to read coresize from " + dir);
            return 0;
        }
        return *v;
    }
    auto proc = sys.read_file("/proc/modules");
    if (!proc) {
        int err = proc.error().sys_errno != 0 ? proc.error().sys_errno : ENOENT;
        util::emit(log, LogLevel::Error,
                   std::string("could not open /proc/modules: ") + std::strerror(err));
        return -err;
    }
    unsigned lineno = 0;
    for (std::string_view line : lines(*proc)) {
        ++lineno;
        auto f = fields(line);
        if (f.empty() || f[0] != name) continue;
        std::string tok = f.size() > 1 ? std::string(f[1]) : std::string();
        char* end = nullptr;
        long value = std::strtol(tok.c_str(), &end, 10);
        if (f.size() < 2 || end == tok.c_str() || *end != '\0') {
            util::emit(log, LogLevel::Error,
                       "invalid line format at /proc/modules:" + std::to_string(lineno));
            return -ENOENT;
        }
        return value;
    }
    return -ENOENT;
}

std::expected<std::vector<Section>, int> sections(System& sys, std::string_view name,
                                                  const util::LogFn& log) {
    const std::string dir = sys_module(name) + "/sections";
    auto entries = sys.list_dir(dir);
    if (!entries) {
        int err = entries.error().sys_errno != 0 ? entries.error().sys_errno : ENOENT;
        util::emit(log, LogLevel::Error, "could not open '" + dir + "': " + std::strerror(err));
        return std::unexpected(-err);
    }
    std::vector<Section> out;
    for (std::string& entry : *entries) {
        const std::string path = dir + "/" + entry;
        auto content = sys.read_file(path);
        if (!content) {
            int err = content.error().sys_errno != 0 ? content.error().sys_errno : EIO;
            util::emit(log, LogLevel::Error,
                       "could not open '" + path + "': " + std::strerror(err));
            return std::unexpected(-err);
        }
        // read_str_ulong(): strtoul base 16 that must stop at whitespace; errno is 0 then,
        // which is what libkmod's message shows.
        std::string buf = first_bytes(*content);
        char* end = nullptr;
        unsigned long v = std::strtoul(buf.c_str(), &end, 16);
        if (end == buf.c_str() || !std::isspace(static_cast<unsigned char>(*end))) {
            util::emit(log, LogLevel::Error,
                       "could not read long from '" + path + "': " + std::strerror(0));
            return std::unexpected(-EINVAL);
        }
        out.push_back({std::move(entry), v});
    }
    return out;
}

std::expected<std::vector<LoadedModule>, int> loaded_modules(System& sys, const util::LogFn& log) {
    auto proc = sys.read_file("/proc/modules");
    if (!proc) {
        int err = proc.error().sys_errno != 0 ? proc.error().sys_errno : ENOENT;
        util::emit(log, LogLevel::Error,
                   std::string("could not open /proc/modules: ") + std::strerror(err));
        return std::unexpected(-err);
    }
    std::vector<LoadedModule> out;
    for (std::string_view line : lines(*proc)) {
        auto f = fields(chomp(line));
        if (f.empty()) continue;
        LoadedModule m;
        m.name = f[0];
        if (f.size() > 1) m.size = std::strtol(std::string(f[1]).c_str(), nullptr, 10);
        if (f.size() > 2) m.refcnt = std::atoi(std::string(f[2]).c_str());
        if (f.size() > 3) m.used_by = f[3];
        if (f.size() > 4) m.state = f[4];
        if (f.size() > 5) m.address = f[5];
        out.push_back(std::move(m));
    }
    return out;
}

KernelCompression kernel_compression(System& sys, const util::LogFn& log) {
    auto content = sys.read_file("/sys/module/compression");
    if (!content) return KernelCompression::None; // an older kernel: not an error
    std::string v = content->substr(0, 15);
    if (v == "zstd\n") return KernelCompression::Zstd;
    if (v == "xz\n") return KernelCompression::Xz;
    if (v == "gzip\n") return KernelCompression::Gzip;
    util::emit(log, LogLevel::Error, "unknown kernel compression " + v);
    return KernelCompression::None;
}

} // namespace modkit::kernel
