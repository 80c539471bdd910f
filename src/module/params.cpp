// join_options(): kmod's options_from_array, shared by insmod and modprobe.
#include "module/params.hpp"

namespace modkit::module {

std::string join_options(std::span<const std::string_view> words) {
    std::string out;
    for (std::string_view w : words) {
        if (!out.empty()) out += ' '; // kmod adds a separator only after something
        size_t eq = w.find('=');
        std::string_view value =
            eq == std::string_view::npos ? std::string_view() : w.substr(eq + 1);
        bool quoted = value.starts_with('"') || value.starts_with('\'');
        if (eq == std::string_view::npos || quoted || value.find(' ') == std::string_view::npos) {
            out += w;
            continue;
        }
        out += w.substr(0, eq + 1);
        out += '"';
        out += value;
        out += '"';
    }
    return out;
}

} // namespace modkit::module
