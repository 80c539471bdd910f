// A module directory for the resolver and executor tests, built from a compact description:
// each module's dependencies (as written on its modules.dep line), aliases and exported
// symbols, plus built-in modules and their aliases. write() produces the five .bin indexes with
// index::IndexBuilder (aliases normalised, as depmod stores them) and a small real ELF file per
// module (named in .gnu.linkonce.this_module, so the fake kernel knows which module
// finit_module loaded).
#pragma once

#include "config/modprobe_config.hpp"
#include "elf_builder.hpp"
#include "index/module_dir.hpp"
#include "index/writer.hpp"
#include "module/names.hpp"
#include "resolve/resolver.hpp"
#include "test_support.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::test {

struct TreeModule {
    std::string name;
    std::vector<std::string> deps; // module names, in modules.dep line order
    std::vector<std::string> aliases;
    std::vector<std::string> symbols; // exported: "symbol:<name>" keys
};

struct TreeBuiltin {
    std::string name;
    std::vector<std::string> aliases;
};

class ModuleTree {
public:
    ModuleTree& module(std::string name, std::vector<std::string> deps = {},
                       std::vector<std::string> aliases = {},
                       std::vector<std::string> symbols = {}) {
        m_modules.push_back(
            {std::move(name), std::move(deps), std::move(aliases), std::move(symbols)});
        return *this;
    }
    ModuleTree& builtin(std::string name, std::vector<std::string> aliases = {}) {
        m_builtins.push_back({std::move(name), std::move(aliases)});
        return *this;
    }

    // "kernel/<name>.ko": the path modules.dep gives, relative to the module directory.
    static std::string relpath(const std::string& name) { return "kernel/" + name + ".ko"; }

    // Writes everything into `dir`. Module i has priority i in every index (module order).
    void write(const std::string& dir) const {
        std::filesystem::create_directories(dir + "/kernel");
        index::IndexBuilder dep, alias, symbols, builtin, builtin_alias;
        for (uint32_t i = 0; i < m_modules.size(); ++i) {
            const TreeModule& m = m_modules[i];
            std::string line = relpath(m.name) + ":";
            for (const std::string& d : m.deps) {
                line += ' '; // not `" " + relpath(d)`: GCC 12 -O3 warns falsely (-Wrestrict)
                line += relpath(d);
            }
            dep.insert(m.name, line, i);
            for (const std::string& a : m.aliases)
                alias.insert(key(a), m.name, i);
            for (const std::string& s : m.symbols)
                symbols.insert("symbol:" + s, m.name, i);
            std::vector<uint8_t> image =
                ElfBuilder().modinfo({"name=" + m.name}).this_module(m.name).build();
            write_file(dir + "/" + relpath(m.name), image);
        }
        for (const TreeBuiltin& b : m_builtins) {
            builtin.insert(b.name, "", 0);
            for (const std::string& a : b.aliases)
                builtin_alias.insert(key(a), b.name, 0);
        }
        write_file(dir + "/modules.dep.bin", dep.serialize());
        write_file(dir + "/modules.alias.bin", alias.serialize());
        write_file(dir + "/modules.symbols.bin", symbols.serialize());
        write_file(dir + "/modules.builtin.bin", builtin.serialize());
        write_file(dir + "/modules.builtin.alias.bin", builtin_alias.serialize());
    }

private:
    // depmod stores aliases normalised ('-' -> '_' outside brackets).
    static std::string key(const std::string& alias) {
        return module::alias_normalize(alias).value_or(alias);
    }

    std::vector<TreeModule> m_modules;
    std::vector<TreeBuiltin> m_builtins;
};

// A module directory in a fresh temporary directory, a modprobe.d file parsed from text and a
// Resolver over both: what each resolver and executor test starts from.
class ResolveWorld {
public:
    static constexpr const char* k_conf = "/etc/modprobe.d/test.conf";

    void build(const ModuleTree& tree, std::string_view conf = {},
               std::optional<std::string_view> kcmdline = std::nullopt) {
        tree.write(m_tmp.path());
        m_dir.emplace(m_tmp.path());
        m_config.parse(k_conf, conf);
        if (kcmdline) m_config.parse_kcmdline(*kcmdline);
        m_messages.clear();
        m_resolver.emplace(*m_dir, m_config, [this](util::LogLevel, const std::string& m) {
            m_messages.push_back(m);
        });
    }

    resolve::Resolver& r() { return *m_resolver; }
    // What the resolver logged, in order.
    std::vector<std::string>& messages() { return m_messages; }
    const config::ModprobeConfig& config() const { return m_config; }
    const std::string& dir() const { return m_tmp.path(); }
    // The absolute path modules.dep gives for `name`.
    std::string path_of(const std::string& name) const {
        return m_tmp.path() + "/" + ModuleTree::relpath(name);
    }
    // The module objects `input` resolves to; the lookup must succeed.
    std::vector<resolve::ModId> lookup(std::string_view input) {
        auto found = r().lookup(input);
        if (!found) throw std::runtime_error("lookup failed: " + found.error().describe());
        return *found;
    }
    // The single module object `input` resolves to.
    resolve::ModId one(std::string_view input) {
        auto ids = lookup(input);
        if (ids.size() != 1)
            throw std::runtime_error("lookup of " + std::string(input) + " gave " +
                                     std::to_string(ids.size()) + " modules");
        return ids[0];
    }

private:
    TempDir m_tmp;
    std::optional<index::ModuleDirectory> m_dir;
    config::ModprobeConfig m_config;
    std::optional<resolve::Resolver> m_resolver;
    std::vector<std::string> m_messages;
};

} // namespace modkit::test
