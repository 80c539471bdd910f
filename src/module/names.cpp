// Name normalisation.
#include "module/names.hpp"

#include "util/strings.hpp"

namespace modkit::module {

bool alias_normalize_into(std::string_view alias, std::string& out) {
    out.clear();
    if (auto nul = alias.find('\0'); nul != std::string_view::npos) alias = alias.substr(0, nul);
    // Most aliases have no brackets: one pass turning '-' into '_'.
    out.resize(alias.size());
    bool brackets = false;
    for (size_t i = 0; i < alias.size(); ++i) {
        char c = alias[i];
        brackets |= c == '[' || c == ']';
        out[i] = c == '-' ? '_' : c;
    }
    if (!brackets) return true;
    out.clear();
    for (size_t i = 0; i < alias.size(); ++i) {
        char c = alias[i];
        switch (c) {
        case '-':
            out += '_';
            break;
        case ']':
            return false;
        case '[': {
            size_t close = alias.find(']', i);
            if (close == std::string_view::npos) return false;
            out.append(alias.substr(i, close - i + 1));
            i = close;
            break;
        }
        default:
            out += c;
        }
    }
    return true;
}

std::optional<std::string> alias_normalize(std::string_view alias) {
    std::string out;
    if (!alias_normalize_into(alias, out)) return std::nullopt;
    return out;
}

bool underscores(std::string& s) {
    for (size_t i = 0; i < s.size(); ++i) {
        switch (s[i]) {
        case '-':
            s[i] = '_';
            break;
        case ']':
            return false;
        case '[':
            i = s.find(']', i);
            if (i == std::string::npos) return false;
            break;
        default:
            break;
        }
    }
    return true;
}

std::string modname_normalize(std::string_view name) {
    std::string out;
    for (char c : name) {
        if (c == '.' || c == '\0') break;
        out += c == '-' ? '_' : c;
    }
    return out;
}

std::string path_to_modname(std::string_view path) {
    return modname_normalize(util::basename(path));
}

std::string_view module_extension(std::string_view name) {
    for (std::string_view e : k_module_extensions)
        if (name.size() > e.size() && name.ends_with(e)) return e;
    return {};
}

} // namespace modkit::module
