// render_outputs(): the text files and the indexes built from them.
#include "depmod/outputs.hpp"

#include "index/writer.hpp"
#include "module/names.hpp"
#include "util/parallel.hpp"

#include <cctype>
#include <cstdio>
#include <cstring>

namespace modkit::depmod {

using util::LogLevel;

namespace {

class Renderer {
public:
    Renderer(const DepGraph& g, const BuiltinInputs& b, bool warn_dups, RenderResult& out)
        : m_g(g)
        , m_b(b)
        , m_warn_dups(warn_dups)
        , m_out(out) {}

    // The parts of the output, in kmod's file order. Each renders into its own result, so
    // they can run on separate threads and still be joined in a fixed order.
    static constexpr size_t k_parts = 6;
    void run_part(size_t part) {
        switch (part) {
        case 0:
            dep_files();
            break;
        case 1:
            alias_files();
            break;
        case 2:
            list_file("modules.softdep", "# Soft dependencies extracted from modules themselves.\n",
                      "softdep", &ModuleRecord::softdeps);
            list_file("modules.weakdep", "# Weak dependencies extracted from modules themselves.\n",
                      "weakdep", &ModuleRecord::weakdeps);
            break;
        case 3:
            symbol_files();
            break;
        case 4:
            builtin_file();
            builtin_alias_file();
            break;
        case 5:
            devname_file();
            break;
        default:
            break;
        }
    }

private:
    void message(LogLevel level, std::string text) {
        m_out.messages.push_back(config::Diagnostic{level, {}, 0, std::move(text)});
    }

    // Inserts into an index, checking kmod 34's 7-bit rule; with -w, reports a value stored
    // twice under one key as `what` ("deps", "alias", "syms").
    void insert(index::IndexBuilder& idx, std::string_view key, std::string_view value,
                uint32_t priority, const char* what = nullptr) {
        if (m_out.fatal) return;
        bool duplicate = false;
        if (idx.insert(key, value, priority,
                       m_warn_dups && what != nullptr ? &duplicate : nullptr)) {
            if (duplicate && m_warn_dups && what != nullptr) {
                std::string text = std::string("duplicate module ") + what + ":\n";
                if (std::string_view(what) == "deps")
                    text += std::string(value);
                else
                    text += std::string(key) + " " + std::string(value);
                message(LogLevel::Warning, text);
            }
        } else {
            std::string_view bad = key;
            for (std::string_view s : {key, value})
                for (char c : s)
                    if (static_cast<unsigned char>(c) >= 128) bad = s;
            unsigned char ch = 0;
            for (char c : bad)
                if (static_cast<unsigned char>(c) >= 128) {
                    ch = static_cast<unsigned char>(c);
                    break;
                }
            char head[96];
            std::snprintf(head, sizeof head, "Module index: bad character '%c'=0x%x", ch, ch);
            m_out.fatal =
                std::string(head) + " - only 7-bit ASCII is supported:\n" + std::string(bad) + "\n";
        }
    }

    void add(std::string name, std::string content, bool binary) {
        m_out.files.push_back(OutputFile{std::move(name), std::move(content), binary});
    }

    void dep_files() {
        std::string text;
        index::IndexBuilder idx;
        std::string line;
        const auto& mods = m_g.modules();
        for (uint32_t i = 0; i < mods.size(); ++i) {
            const GraphModule& m = mods[i];
            line.assign(m.dep_path());
            line += ':';
            if (!m.deps.empty())
                for (uint32_t d : m_g.all_dependencies(i)) {
                    line += ' ';
                    line += mods[d].dep_path();
                }
            text += line;
            text += '\n';
            insert(idx, m.name(), line, m.idx, "deps");
        }
        add("modules.dep", std::move(text), false);
        add("modules.dep.bin", idx.serialize(), true);
    }

    void alias_files() {
        std::string text = "# Aliases extracted from modules themselves.\n";
        index::IndexBuilder idx;
        for (const GraphModule& m : m_g.modules()) {
            for (const auto& alias : m.record->aliases) {
                text += "alias ";
                text += alias;
                text += ' ';
                text += m.name();
                text += '\n';
                if (!module::alias_normalize_into(alias, m_scratch)) {
                    message(LogLevel::Warning, "Unmatched bracket in " + std::string(alias));
                    continue;
                }
                insert(idx, m_scratch, m.name(), m.idx, "alias");
            }
        }
        add("modules.alias", std::move(text), false);
        add("modules.alias.bin", idx.serialize(), true);
    }

    void list_file(const char* name, const char* header, const char* keyword,
                   std::vector<std::string_view> ModuleRecord::*field) {
        std::string text = header;
        for (const GraphModule& m : m_g.modules())
            for (const auto& value : m.record->*field) {
                text += keyword;
                text += ' ';
                text += m.name();
                text += ' ';
                text += value;
                text += '\n';
            }
        add(name, std::move(text), false);
    }

    void symbol_files() {
        std::string text = "# Aliases for symbols, used by symbol_request().\n";
        index::IndexBuilder idx;
        std::string key;
        const auto& mods = m_g.modules();
        for (const GraphSymbol* s : m_g.owned_symbols_in_order()) {
            const GraphModule& owner = mods[static_cast<uint32_t>(s->owner)];
            key.assign("symbol:");
            key += s->name;
            text += "alias ";
            text += key;
            text += ' ';
            text += owner.name();
            text += '\n';
            insert(idx, key, owner.name(), owner.idx, "syms");
        }
        add("modules.symbols", std::move(text), false);
        add("modules.symbols.bin", idx.serialize(), true);
    }

    void missing_input(const char* name) {
        message(LogLevel::Warning, std::string("could not open ") + name + " at " + m_b.dirname +
                                       ": " + std::strerror(ENOENT));
    }

    // modules.builtin: one "kernel/path/name.ko" per line; the key is the module name.
    void builtin_file() {
        if (!m_b.builtin) {
            missing_input("modules.builtin");
            add("modules.builtin.bin", "", true); // kmod still publishes an empty file
            return;
        }
        index::IndexBuilder idx;
        std::string_view rest = *m_b.builtin;
        while (!rest.empty()) {
            size_t nl = rest.find('\n');
            std::string_view line =
                rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
            rest.remove_prefix(line.size());
            if (!std::isalpha(static_cast<unsigned char>(line[0]))) {
                // kmod's format adds "\n" after the line, which keeps its own.
                message(LogLevel::Error, "Invalid modules.builtin line: " + std::string(line) +
                                             (line.ends_with('\n') ? "\n" : ""));
                continue;
            }
            insert(idx, module::path_to_modname(line), "", 0);
        }
        add("modules.builtin.bin", idx.serialize(), true);
    }

    // modules.builtin.modinfo: "modname.key=value\0" records; the alias= ones are indexed.
    // The stream is cut exactly as kmod's flush_stream_to() cuts it.
    void builtin_alias_file() {
        if (!m_b.builtin_modinfo) {
            missing_input("modules.builtin.modinfo");
            add("modules.builtin.alias.bin", "", true);
            return;
        }
        index::IndexBuilder idx;
        std::string_view in = *m_b.builtin_modinfo;
        size_t pos = 0;
        // Reads up to `end` (consumed), NUL or end of input; returns the text if it stopped
        // at `end`, nullopt otherwise (kmod's "0 length" result).
        auto read_to = [&](char end) -> std::optional<std::string_view> {
            size_t start = pos;
            while (pos < in.size() && in[pos] != end && in[pos] != '\0')
                ++pos;
            std::string_view s = in.substr(start, pos - start);
            bool hit = pos < in.size() && in[pos] == end;
            if (pos < in.size()) ++pos; // the stop character is consumed
            if (!hit || s.empty()) return std::nullopt;
            return s;
        };
        while (pos < in.size()) {
            auto modname = read_to('.');
            if (!modname) continue;
            auto key = read_to('=');
            if (!key || *key != "alias") {
                // kmod skips to the next NUL even when the key read already stopped at one,
                // so a record without '=' also swallows the record after it.
                read_to('\0');
                continue;
            }
            auto value = read_to('\0');
            if (!value) continue;
            auto alias = module::alias_normalize(*value);
            if (!alias) {
                message(LogLevel::Warning, "Unmatched bracket in " + std::string(*value));
                continue;
            }
            insert(idx, *alias, *modname, 0);
        }
        add("modules.builtin.alias.bin", idx.serialize(), true);
    }

    void devname_file() {
        std::string text;
        for (const GraphModule& m : m_g.modules()) {
            std::optional<std::string_view> devname;
            char type = '\0';
            unsigned major = 0, minor = 0;
            for (std::string_view alias : m.record->aliases) {
                unsigned maj, min;
                // sscanf needs a terminated string; only aliases with the right prefix can match.
                auto scan = [&](const char* fmt, std::string_view prefix) {
                    return alias.starts_with(prefix) &&
                           std::sscanf(std::string(alias).c_str(), fmt, &maj, &min) == 2;
                };
                if (alias.starts_with("devname:"))
                    devname = alias.substr(8);
                else if (scan("char-major-%u-%u", "char-major-")) {
                    type = 'c';
                    major = maj;
                    minor = min;
                } else if (scan("block-major-%u-%u", "block-major-")) {
                    type = 'b';
                    major = maj;
                    minor = min;
                }
                if (type != '\0' && devname) break;
            }
            if (!devname) continue;
            if (type == '\0') {
                message(LogLevel::Error, "Module '" + m.name() + "' has devname (" +
                                             std::string(*devname) +
                                             ") but lacks major and minor information. Ignoring.");
                continue;
            }
            if (text.empty()) text = "# Device nodes to trigger on-demand module loading.\n";
            char buf[64];
            std::snprintf(buf, sizeof buf, " %c%u:%u\n", type, major, minor);
            text += m.name();
            text += ' ';
            text += *devname;
            text += buf;
        }
        add("modules.devname", std::move(text), false);
    }

    std::string m_scratch; // reused for normalised aliases
    const DepGraph& m_g;
    const BuiltinInputs& m_b;
    bool m_warn_dups;
    RenderResult& m_out;
};

} // namespace

RenderResult render_outputs(const DepGraph& graph, const BuiltinInputs& builtin, bool warn_dups,
                            unsigned jobs) {
    std::vector<RenderResult> parts = util::parallel_map(Renderer::k_parts, jobs, [&](size_t part) {
        RenderResult r;
        Renderer(graph, builtin, warn_dups, r).run_part(part);
        return r;
    });
    RenderResult out;
    for (auto& p : parts) {
        for (auto& f : p.files)
            out.files.push_back(std::move(f));
        for (auto& m : p.messages)
            out.messages.push_back(std::move(m));
        if (p.fatal && !out.fatal) out.fatal = std::move(p.fatal);
    }
    return out;
}

} // namespace modkit::depmod
