// parse_daemon_config: modkitd.conf, key by key, with every bad line reported.
#include "daemon/config.hpp"

#include "module/names.hpp"
#include "util/glob.hpp"
#include "util/mapped_file.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <string>

namespace modkit::daemon {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::optional<bool> parse_bool(std::string_view v) {
    if (v == "yes" || v == "true" || v == "on" || v == "1") return true;
    if (v == "no" || v == "false" || v == "off" || v == "0") return false;
    return std::nullopt;
}

template <class T> std::optional<T> parse_number(std::string_view v, T lo, T hi) {
    T n{};
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || v.empty() || n < lo || n > hi)
        return std::nullopt;
    return n;
}

std::vector<std::string> words(std::string_view v) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < v.size()) {
        size_t start = v.find_first_not_of(" \t,", pos);
        if (start == std::string_view::npos) break;
        size_t end = v.find_first_of(" \t,", start);
        if (end == std::string_view::npos) end = v.size();
        out.push_back(module::modname_normalize(v.substr(start, end - start)));
        pos = end;
    }
    return out;
}

// Applies one setting; the problem with it, or empty.
std::string apply(DaemonConfig& c, std::string_view key, std::string_view value) {
    if (key == "coldplug") {
        auto b = parse_bool(value);
        if (!b) return "coldplug must be yes or no, not '" + std::string(value) + "'";
        c.coldplug = *b;
    } else if (key == "jobs") {
        auto n = parse_number<unsigned>(value, 1, 256);
        if (!n) return "jobs must be a number from 1 to 256, not '" + std::string(value) + "'";
        c.jobs = *n;
    } else if (key == "queue-limit") {
        auto n = parse_number<size_t>(value, 16, 1u << 20);
        if (!n)
            return "queue-limit must be a number from 16 to 1048576, not '" + std::string(value) +
                   "'";
        c.queue_limit = *n;
    } else if (key == "idle-unload") {
        if (value == "off")
            c.idle_unload = IdleUnload::Off;
        else if (value == "pressure")
            c.idle_unload = IdleUnload::Pressure;
        else if (value == "idle")
            c.idle_unload = IdleUnload::Idle;
        else
            return "idle-unload must be off, pressure or idle, not '" + std::string(value) + "'";
    } else if (key == "idle-seconds") {
        auto n = parse_number<unsigned>(value, 1, 7 * 24 * 3600);
        if (!n)
            return "idle-seconds must be a number from 1 to 604800, not '" + std::string(value) +
                   "'";
        c.idle_seconds = *n;
    } else if (key == "pressure-threshold") {
        auto n = parse_number<double>(value, 0.0, 100.0);
        if (!n || std::isnan(*n))
            return "pressure-threshold must be a percentage from 0 to 100, not '" +
                   std::string(value) + "'";
        c.pressure_threshold = *n;
    } else if (key == "check-seconds") {
        auto n = parse_number<unsigned>(value, 1, 3600);
        if (!n)
            return "check-seconds must be a number from 1 to 3600, not '" + std::string(value) +
                   "'";
        c.check_seconds = *n;
    } else if (key == "keep") {
        for (auto& w : words(value))
            c.keep.push_back(std::move(w));
    } else if (key == "allow") {
        for (auto& w : words(value))
            c.allow.push_back(std::move(w));
    } else if (key == "status-file" || key == "history-file") {
        if (value.empty() || value[0] != '/')
            return std::string(key) + " must be an absolute path, not '" + std::string(value) + "'";
        (key == "status-file" ? c.status_file : c.history_file) = std::string(value);
    } else {
        return "unknown setting '" + std::string(key) + "'";
    }
    return {};
}

} // namespace

std::string DaemonConfig::unload_refused_by(std::string_view module) const {
    std::string name = module::modname_normalize(module);
    for (const std::string& p : keep)
        if (util::glob_match(p, name)) return "keep";
    if (allow.empty()) return {};
    for (const std::string& p : allow)
        if (util::glob_match(p, name)) return {};
    return "allow";
}

ParsedConfig parse_daemon_config(std::string_view text, const std::string& path) {
    ParsedConfig out;
    out.config.source = path;
    unsigned line = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view l = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line;
        if (l.find('\0') != std::string_view::npos) {
            out.problems.push_back({line, "a NUL byte"});
            continue;
        }
        size_t hash = l.find('#');
        if (hash != std::string_view::npos) l = l.substr(0, hash);
        l = trim(l);
        if (l.empty()) continue;
        size_t eq = l.find('=');
        if (eq == std::string_view::npos) {
            out.problems.push_back({line, "expected 'key = value'"});
            continue;
        }
        std::string_view key = trim(l.substr(0, eq)), value = trim(l.substr(eq + 1));
        if (key.empty()) {
            out.problems.push_back({line, "expected 'key = value'"});
            continue;
        }
        if (std::string err = apply(out.config, key, value); !err.empty())
            out.problems.push_back({line, std::move(err)});
    }
    return out;
}

util::Expected<DaemonConfig> load_daemon_config(const std::string& path) {
    auto text = util::read_file(path);
    if (!text) {
        if (text.error().sys_errno == ENOENT) {
            DaemonConfig c;
            return c;
        }
        return std::unexpected(text.error());
    }
    ParsedConfig parsed = parse_daemon_config(*text, path);
    if (parsed.problems.empty()) return std::move(parsed.config);
    std::string msg;
    for (const ConfigProblem& p : parsed.problems) {
        if (!msg.empty()) msg += '\n';
        msg += path + ":" + std::to_string(p.line) + ": " + p.message;
    }
    return util::fail(util::ErrorKind::Invalid, EINVAL, "", msg);
}

} // namespace modkit::daemon
