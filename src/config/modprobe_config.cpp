// Parsing modprobe.d files: kmod_config_parse and the softdep/weakdep splitters.
#include "config/modprobe_config.hpp"

#include "config/line_reader.hpp"
#include "module/names.hpp"
#include "util/mapped_file.hpp"

namespace modkit::config {

namespace {

// isspace() in the C locale.
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

struct RawWord {
    std::string_view text;
    bool countable; // kmod stores it (when in a pre:/post: section)
};

// The words kmod_config_add_softdep sees. Its scanner starts a word at the beginning of the
// string and moves the start past a blank only when a SECOND blank follows, so with exactly
// one leading blank the first word keeps that blank (" pre:" is then not a keyword).
std::vector<RawWord> kmod_words(std::string_view line) {
    std::vector<RawWord> out;
    size_t p = 0;
    bool was_space = false;
    for (size_t s = 0;; ++s) {
        bool end = s >= line.size();
        if (!end) {
            if (!is_space(line[s])) {
                was_space = false;
                continue;
            }
            if (was_space) {
                p = s + 1;
                continue;
            }
            was_space = true;
            if (p >= s) continue;
        }
        out.push_back({line.substr(p, s - p), !end || !was_space});
        p = s + 1;
        if (end) break;
    }
    return out;
}

std::string join_words(const std::vector<std::string>& words, size_t first, size_t last) {
    std::string out;
    for (size_t i = first; i <= last; ++i) {
        if (i != first) out += ' ';
        out += words[i];
    }
    return out;
}

} // namespace

Softdep parse_softdep(std::string module, std::string_view rest, Origin origin) {
    Softdep dep{std::move(module), std::string(rest), {}, {}, {}, std::move(origin)};
    enum class Mode { None, Pre, Post } mode = Mode::None;
    // Every stored word, in line order: kmod keeps them in one buffer, which softdep_to_char
    // prints from the first to the last word of each list (so interleaved lists bleed).
    std::vector<std::string> stored;
    std::vector<size_t> pre_at, post_at;
    for (const RawWord& w : kmod_words(rest)) {
        if (w.text == "pre:") {
            mode = Mode::Pre;
        } else if (w.text == "post:") {
            mode = Mode::Post;
        } else if (w.countable && mode != Mode::None) {
            (mode == Mode::Pre ? pre_at : post_at).push_back(stored.size());
            (mode == Mode::Pre ? dep.pre : dep.post).emplace_back(w.text);
            stored.emplace_back(w.text);
        }
    }
    if (!pre_at.empty()) dep.shown += "pre: " + join_words(stored, pre_at.front(), pre_at.back());
    if (!post_at.empty())
        dep.shown += "post: " + join_words(stored, post_at.front(), post_at.back());
    return dep;
}

Weakdep parse_weakdep(std::string module, std::string_view rest, Origin origin) {
    Weakdep dep{std::move(module), std::string(rest), {}, {}, std::move(origin)};
    for (const RawWord& w : kmod_words(rest))
        if (w.countable) dep.deps.emplace_back(w.text);
    if (!dep.deps.empty()) dep.shown = join_words(dep.deps, 0, dep.deps.size() - 1);
    return dep;
}

ModprobeConfig ModprobeConfig::load(const FileList& files,
                                    std::optional<std::string_view> kcmdline) {
    ModprobeConfig config;
    config.m_diagnostics = files.diagnostics;
    for (const ConfigFile& file : files.files) {
        auto text = util::read_file(file.path);
        if (text) config.parse(file.path, *text); // libkmod skips what it cannot open
    }
    if (kcmdline) config.parse_kcmdline(*kcmdline);
    return config;
}

void ModprobeConfig::parse(const std::string& path, std::string_view text) {
    LineReader reader(text);
    LogicalLine line;
    while (reader.next(line))
        parse_line(path, line.text, line.line);
}

void ModprobeConfig::bad_line(const std::string& path, unsigned line, std::string_view cmd) {
    m_diagnostics.push_back({util::LogLevel::Error, path, line,
                             path + " line " + std::to_string(line) +
                                 ": ignoring bad line starting with '" + std::string(cmd) + "'",
                             "kmod_config_parse"});
}

void ModprobeConfig::parse_line(const std::string& path, const std::string& text, unsigned line) {
    if (text.empty() || text[0] == '#') return;
    Tokenizer tok(text);
    auto cmd = tok.word();
    if (!cmd) return;
    Origin origin{path, line};
    // underscores() on a word; false when the word is missing or has a bad bracket.
    auto name = [](std::optional<std::string_view> word, std::string& out) {
        if (!word) return false;
        out.assign(*word);
        return module::underscores(out);
    };
    std::string first, second;
    if (*cmd == "alias") {
        auto pattern = tok.word();
        auto modname = tok.word();
        if (!name(pattern, first) || !name(modname, second)) return bad_line(path, line, *cmd);
        m_aliases.push_back({std::move(first), std::move(second), std::move(origin)});
    } else if (*cmd == "blacklist") {
        if (!name(tok.word(), first)) return bad_line(path, line, *cmd);
        m_blacklists.push_back({std::move(first), std::move(origin)});
    } else if (*cmd == "options" || *cmd == "install" || *cmd == "remove" || *cmd == "softdep" ||
               *cmd == "weakdep") {
        auto modname = tok.word();
        auto rest = tok.rest();
        if (!name(modname, first) || !rest) return bad_line(path, line, *cmd);
        if (*cmd == "options") {
            std::string opts(*rest);
            for (char& c : opts)
                if (c == '\t') c = ' ';
            m_options.push_back({std::move(first), std::move(opts), std::move(origin)});
        } else if (*cmd == "install") {
            m_install.push_back({std::move(first), std::string(*rest), std::move(origin)});
        } else if (*cmd == "remove") {
            m_remove.push_back({std::move(first), std::string(*rest), std::move(origin)});
        } else if (*cmd == "softdep") {
            m_softdeps.push_back(parse_softdep(std::move(first), *rest, std::move(origin)));
        } else {
            // kmod 33+; kmod 30 rejects the line as bad.
            m_weakdeps.push_back(parse_weakdep(std::move(first), *rest, std::move(origin)));
        }
    } else if (*cmd == "include" || *cmd == "config") {
        m_diagnostics.push_back(
            {util::LogLevel::Error, path, line,
             path + ": command " + std::string(*cmd) + " is deprecated and not parsed anymore",
             "kmod_config_parse"});
    } else {
        bad_line(path, line, *cmd);
    }
}

} // namespace modkit::config
