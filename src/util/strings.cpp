// String helpers.
#include "util/strings.hpp"

namespace modkit::util {

std::vector<std::string_view> split_any(std::string_view s, std::string_view seps) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        size_t start = s.find_first_not_of(seps, i);
        if (start == std::string_view::npos) break;
        size_t end = s.find_first_of(seps, start);
        if (end == std::string_view::npos) end = s.size();
        out.push_back(s.substr(start, end - start));
        i = end;
    }
    return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        size_t end = s.find(sep, start);
        if (end == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
}

std::string join(std::span<const std::string> parts, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i != 0) out += sep;
        out += parts[i];
    }
    return out;
}

std::string_view trim(std::string_view s, std::string_view chars) {
    size_t b = s.find_first_not_of(chars);
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(chars);
    return s.substr(b, e - b + 1);
}

std::string hex_colon(std::span<const uint8_t> bytes, size_t per_line) {
    static constexpr char k_digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size() * 3 + bytes.size() / (per_line ? per_line : 1) * 3);
    for (size_t i = 0; i < bytes.size(); ++i) {
        out += k_digits[bytes[i] >> 4];
        out += k_digits[bytes[i] & 15];
        if (i + 1 < bytes.size()) {
            out += ':';
            if (per_line != 0 && (i + 1) % per_line == 0) out += "\n\t\t";
        }
    }
    return out;
}

std::string_view basename(std::string_view path) {
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dirname(std::string_view path) {
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.ends_with(suffix);
}
bool starts_with(std::string_view s, std::string_view prefix) {
    return s.starts_with(prefix);
}

std::string_view first_word(std::string_view s) {
    return s.substr(0, s.find(' '));
}

} // namespace modkit::util
