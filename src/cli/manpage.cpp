// The man pages' OPTIONS and COMMANDS sections in scdoc, from the option tables: the prose of
// each page is written by hand (docs/man/*.scd) and names the table with `@OPTIONS tool@`.
#include "cli/docgen.hpp"

namespace modkit::cli {

namespace {

// scdoc marks *bold* and _underline_; a literal one is escaped.
std::string scdoc_text(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '*' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

std::string_view placeholder(ValueKind k) {
    switch (k) {
    case ValueKind::File:
    case ValueKind::ModuleFile:
        return "FILE";
    case ValueKind::Directory:
        return "DIR";
    case ValueKind::KernelVersion:
        return "VERSION";
    case ValueKind::Module:
    case ValueKind::LoadedModule:
    case ValueKind::ModuleOrFile:
        return "MODULE";
    case ValueKind::Number:
        return "N";
    case ValueKind::Arch:
        return "ARCH";
    case ValueKind::DkmsModule:
        return "MODULE/VERSION";
    case ValueKind::Word:
    case ValueKind::None:
        break;
    }
    return "VALUE";
}

// The help line as a sentence: a capital first letter and a full stop.
std::string sentence(std::string_view help) {
    std::string s = scdoc_text(help);
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
    if (!s.empty() && s.back() != '.') s += '.';
    return s;
}

// One entry per table row, as the tool's --help has them; rows without help (deprecated
// spellings still accepted) are left out.
std::string options_list(std::span<const OptionSpec> options) {
    std::string out, hidden;
    for (const OptionSpec& o : options) {
        if (o.help.empty()) {
            hidden += std::string(hidden.empty() ? "" : ", ") + "*" +
                      scdoc_text(option_synopsis(o)) + "*";
            continue;
        }
        out += "*" + scdoc_text(option_synopsis(o)) + "*\n";
        out += "\t" + sentence(o.help) + "\n\n";
    }
    if (!hidden.empty())
        out += "Also accepted for compatibility (deprecated, ignored or an older name): " + hidden +
               ".\n\n";
    return out;
}

} // namespace

std::string option_synopsis(const OptionSpec& o) {
    std::string s;
    const bool takes = o.value != ValueKind::None;
    if (o.short_name != 0) {
        s += std::string("-") + o.short_name;
        if (takes && o.long_name.empty()) s += " " + std::string(placeholder(o.value));
    }
    if (!o.long_name.empty()) {
        if (!s.empty()) s += ", ";
        s += "--" + std::string(o.long_name);
        if (takes) s += "=" + std::string(placeholder(o.value));
    }
    return s;
}

std::string man_options(std::string_view tool) {
    const ToolOptions* t = find_tool_options(tool);
    if (t == nullptr) return {};
    std::string out;
    if (!t->options.empty()) {
        out += "# OPTIONS\n\n";
        out += options_list(t->options);
    }
    if (!t->subcommands.empty()) {
        out += "# COMMANDS\n\n";
        for (const Subcommand& s : t->subcommands)
            out += "*" + scdoc_text(s.name) + "*\n\t" + sentence(s.help) + "\n\n";
        for (const Subcommand& s : t->subcommands) {
            if (s.options.empty() || s.options.data() == t->options.data()) continue;
            out +=
                "## " + scdoc_text(std::string(tool) + " " + std::string(s.name)) + " options\n\n";
            out += options_list(s.options);
        }
    }
    // Trailing blank lines would end the section twice.
    while (out.size() >= 2 && out.ends_with("\n\n"))
        out.pop_back();
    return out;
}

bool expand_man_source(std::string_view source, std::string& out, std::string& error) {
    out.clear();
    size_t line_no = 0;
    for (size_t pos = 0; pos < source.size();) {
        size_t end = source.find('\n', pos);
        std::string_view line =
            source.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        pos = end == std::string_view::npos ? source.size() : end + 1;
        ++line_no;
        if (line.starts_with("@OPTIONS ") && line.ends_with("@")) {
            std::string_view tool = line.substr(9, line.size() - 10);
            std::string text = man_options(tool);
            if (text.empty()) {
                error = "line " + std::to_string(line_no) + ": no option table for '" +
                        std::string(tool) + "'";
                return false;
            }
            out += text;
            out += '\n';
            continue;
        }
        out += line;
        out += '\n';
    }
    return true;
}

} // namespace modkit::cli
