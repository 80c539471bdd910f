// The kernel command line: kmod 30's kmod_config_parse_kcmdline state machine, run over a
// private copy of the text exactly as kmod runs it over its buffer, including the in-place
// re-quoting of grub-mangled tokens ("mod.p=a b" becomes mod.p="a b").
#include "config/modprobe_config.hpp"

#include "module/names.hpp"

#include <cstring>

namespace modkit::config {

namespace {
constexpr size_t k_kcmdline_max = 4095; // KCMD_LINE_SIZE - 1, what read_str_safe() keeps
constexpr size_t k_unset = std::string::npos;

// The NUL-terminated string starting at `at`.
std::string c_string(const std::string& buf, size_t at) {
    return std::string(buf.c_str() + at, std::strlen(buf.c_str() + at));
}
} // namespace

void ModprobeConfig::parse_kcmdline(std::string_view cmdline) {
    std::string buf(cmdline.substr(0, std::min(cmdline.size(), k_kcmdline_max)));
    if (size_t nul = buf.find('\0'); nul != std::string::npos) buf.resize(nul);
    buf.push_back('\0');

    enum class State { Ignore, Modname, Param, Value, Complete };
    State state = State::Modname;
    bool quoted = false;
    size_t modname = 0, param = k_unset, value = k_unset, quote_start = k_unset;
    for (size_t p = 0; p < buf.size(); ++p) {
        switch (buf[p]) {
        case '"':
            quoted = !quoted;
            // A quote may only open a token; anywhere else outside a value it spoils it.
            if (quoted && state == State::Modname && p == modname) {
                quote_start = p;
                modname = p + 1;
            } else if (state != State::Value) {
                state = State::Ignore;
            }
            break;
        case '\0':
        case ' ':
        case '\n':
        case '\t':
        case '\v':
        case '\f':
        case '\r':
            if (quoted && state == State::Value) {
                // a blank inside a quoted value
            } else if (quoted) {
                state = State::Ignore;
            } else if (state == State::Value || state == State::Param) {
                buf[p] = '\0';
                state = State::Complete;
            } else {
                modname = p + 1;
                state = State::Modname;
                quote_start = k_unset;
            }
            break;
        case '.':
            if (state == State::Modname) {
                buf[p] = '\0';
                param = p + 1;
                state = State::Param;
            } else if (state == State::Param) {
                state = State::Ignore;
            }
            break;
        case '=':
            if (state == State::Param) {
                value = p + 1; // param keeps its "=value"
                state = State::Value;
            } else if (state == State::Modname) {
                state = State::Ignore;
            }
            break;
        default:
            break;
        }
        if (state != State::Complete) continue;
        if (quote_start != k_unset && quote_start < modname && value != k_unset) {
            // "mod.p=a b" -> mod.p="a b": shift "mod\0p=" left over the quote, re-add it.
            std::memmove(&buf[quote_start], &buf[modname], value - modname);
            --value;
            --modname;
            --param;
            buf[value] = '"';
        }
        // kmod never resets value between tokens; only "blacklist=" reads it, and that
        // token always sets it.
        std::string value_text = value != k_unset ? c_string(buf, value) : std::string();
        add_kcmdline_result(c_string(buf, modname), c_string(buf, param), value_text);
        modname = p + 1;
        state = State::Modname;
        quote_start = k_unset;
    }
}

void ModprobeConfig::add_kcmdline_result(std::string modname, std::string param,
                                         std::string_view value) {
    if (modname == "modprobe" && param.starts_with("blacklist=")) {
        // strsep(",") keeps empty fields; the names are NOT normalized.
        size_t start = 0;
        while (true) {
            size_t comma = value.find(',', start);
            m_blacklists.push_back({std::string(value.substr(start, comma - start)), {}});
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        return;
    }
    if (!module::underscores(modname)) {
        m_diagnostics.push_back({util::LogLevel::Error, "", 0,
                                 "Ignoring bad option on kernel command line while parsing "
                                 "module name: '" +
                                     modname + "'",
                                 "kcmdline_parse_result"});
        return;
    }
    for (char& c : param)
        if (c == '\t') c = ' ';
    m_options.push_back({std::move(modname), std::move(param), {}});
}

} // namespace modkit::config
