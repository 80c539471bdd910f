// parse_memory_pressure: the two lines of a PSI file, every field checked.
#include "daemon/pressure.hpp"

#include <charconv>
#include <optional>
#include <string>

namespace modkit::daemon {

namespace {

// "key=value" among the words of `line`.
std::optional<std::string_view> field(std::string_view line, std::string_view key) {
    size_t pos = 0;
    while (pos < line.size()) {
        size_t end = line.find(' ', pos);
        if (end == std::string_view::npos) end = line.size();
        std::string_view w = line.substr(pos, end - pos);
        if (w.size() > key.size() && w.starts_with(key) && w[key.size()] == '=')
            return w.substr(key.size() + 1);
        pos = end + 1;
    }
    return std::nullopt;
}

std::optional<std::string> parse_line(std::string_view line, PressureLine& out) {
    const char* avg_keys[] = {"avg10", "avg60", "avg300"};
    double* avgs[] = {&out.avg10, &out.avg60, &out.avg300};
    for (int i = 0; i < 3; ++i) {
        auto v = field(line, avg_keys[i]);
        if (!v) return std::string("no ") + avg_keys[i];
        double d = 0;
        auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), d);
        if (ec != std::errc() || end != v->data() + v->size() || !(d >= 0.0 && d <= 100.0))
            return std::string(avg_keys[i]) + " '" + std::string(*v) + "' is not a percentage";
        *avgs[i] = d;
    }
    auto t = field(line, "total");
    if (!t) return "no total";
    auto [end, ec] = std::from_chars(t->data(), t->data() + t->size(), out.total);
    if (ec != std::errc() || end != t->data() + t->size() || t->empty())
        return "total '" + std::string(*t) + "' is not a number";
    return std::nullopt;
}

} // namespace

util::Expected<MemoryPressure> parse_memory_pressure(std::string_view text,
                                                     const std::string& path) {
    MemoryPressure mp;
    bool has_some = false;
    unsigned line = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view l = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line;
        if (l.empty()) continue;
        PressureLine* target = nullptr;
        if (l.starts_with("some ")) {
            target = &mp.some;
            has_some = true;
        } else if (l.starts_with("full ")) {
            target = &mp.full;
            mp.has_full = true;
        } else {
            return util::fail(util::ErrorKind::Corrupt, EBADMSG, path,
                              "expected a 'some' or 'full' line", line);
        }
        if (auto err = parse_line(l.substr(5), *target))
            return util::fail(util::ErrorKind::Corrupt, EBADMSG, path, *err, line);
    }
    if (!has_some) return util::fail(util::ErrorKind::Corrupt, EBADMSG, path, "no 'some' line");
    return mp;
}

} // namespace modkit::daemon
