// resolve/lookup and the Resolver's module pool: kmod_module_new_from_lookup's chain (config
// aliases, modules.dep, symbol:, install/remove commands, modules.alias, modules.builtin,
// modules.builtin.alias), the first source that answers wins, and libkmod's object identity
// ("name" or "name\alias"), on which options and the blacklist depend.
#include "resolve/lookup.hpp"

#include "test_resolve_tree.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

namespace modkit::resolve {
namespace {

using test::ModuleTree;

class ResolveLookup : public ::testing::Test {
protected:
    // "name" for a direct object, "name\alias" for one reached through an alias, as libkmod
    // keys its pool.
    std::vector<std::string> keys(std::string_view input) {
        std::vector<std::string> out;
        for (ModId id : w.lookup(input)) {
            const ModObject& m = w.r().get(id);
            out.push_back(m.alias ? m.name + "\\" + *m.alias : m.name);
        }
        return out;
    }
    Source source_of(std::string_view input) { return w.r().get(w.one(input)).source; }

    test::ResolveWorld w;
};

// A tree with one module of each kind of source.
ModuleTree standard_tree() {
    ModuleTree t;
    t.module("crc16")
        .module("mbcache")
        .module("jbd2", {"crc16"}, {}, {"jbd2_journal_start"})
        .module("ext4", {"jbd2", "mbcache", "crc16"}, {"fs-ext4"}, {"ext4_fill_super"})
        .module("snd_foo", {}, {"pci:v00001234d*"})
        .builtin("unix", {"net-pf-1"});
    return t;
}

TEST_F(ResolveLookup, ModuleNameFromModulesDep) {
    w.build(standard_tree());
    EXPECT_EQ(keys("ext4"), std::vector<std::string>{"ext4"});
    EXPECT_EQ(source_of("ext4"), Source::ModulesDep);
    // The input is normalised: '-' and '_' are the same character in a module name.
    EXPECT_EQ(keys("snd-foo"), std::vector<std::string>{"snd_foo"});
}

TEST_F(ResolveLookup, NothingAnswersGivesAnEmptyList) {
    w.build(standard_tree());
    EXPECT_TRUE(w.lookup("no-such-thing").empty());
}

TEST_F(ResolveLookup, UnbalancedBracketsAreEinval) {
    w.build(standard_tree());
    auto r = w.r().lookup("foo]bar");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, util::ErrorKind::Invalid);
    EXPECT_EQ(r.error().sys_errno, EINVAL);
}

TEST_F(ResolveLookup, ConfigAliasComesBeforeEveryIndex) {
    // "ext4" is a module name in modules.dep, but a config alias with that pattern wins.
    w.build(standard_tree(), "alias ext4 mbcache\n");
    EXPECT_EQ(keys("ext4"), std::vector<std::string>{"mbcache\\ext4"});
    ModId id = w.one("ext4");
    EXPECT_EQ(w.r().get(id).source, Source::ConfigAlias);
    EXPECT_EQ(w.r().get(id).origin, "/etc/modprobe.d/test.conf:1");
}

TEST_F(ResolveLookup, ConfigAliasesMatchWithFnmatchAllOfThemInFileOrder) {
    w.build(standard_tree(), "alias net-pf-* crc16\n"
                             "alias other jbd2\n"
                             "alias net-pf-1[0-9] ext4\n"
                             "alias net-pf-10 mbcache\n"
                             "alias net-pf-1? crc16\n");
    // The alias kept on each object is the pattern (after underscores()), not the input.
    EXPECT_EQ(keys("net-pf-10"),
              (std::vector<std::string>{"crc16\\net_pf_*", "ext4\\net_pf_1[0-9]",
                                        "mbcache\\net_pf_10", "crc16\\net_pf_1?"}));
    ModId last = w.lookup("net_pf_10").back();
    EXPECT_EQ(w.r().get(last).origin, "/etc/modprobe.d/test.conf:5");
    // A config alias wins over the builtin alias of the same name.
    EXPECT_EQ(keys("net-pf-1"), std::vector<std::string>{"crc16\\net_pf_*"});
}

TEST_F(ResolveLookup, ConfigAliasTakesTheModuleNameAsWritten) {
    // The target of a config alias is not looked up again: an alias to an alias, or to a
    // module that does not exist, yields an object with exactly that name.
    w.build(standard_tree(), "alias a1 fs-ext4\n"
                             "alias a2 not-there\n");
    EXPECT_EQ(keys("a1"), std::vector<std::string>{"fs_ext4\\a1"});
    ModId missing = w.one("a2");
    EXPECT_EQ(w.r().get(missing).name, "not_there");
    auto path = w.r().path(missing);
    ASSERT_TRUE(path.has_value());
    EXPECT_FALSE(path->has_value());
    EXPECT_EQ(w.r().is_builtin(missing), false);
}

TEST_F(ResolveLookup, NamesWithAColonSkipModulesDep) {
    // modules.dep is never asked for a name with ':'; modules.alias answers instead.
    ModuleTree t;
    t.module("odd:name").module("real", {}, {"odd:name"});
    w.build(t);
    EXPECT_EQ(keys("odd:name"), std::vector<std::string>{"real\\odd:name"});
    EXPECT_EQ(source_of("odd:name"), Source::Alias);
}

TEST_F(ResolveLookup, SymbolPrefixSearchesModulesSymbols) {
    w.build(standard_tree());
    EXPECT_EQ(keys("symbol:jbd2_journal_start"),
              std::vector<std::string>{"jbd2\\symbol:jbd2_journal_start"});
    EXPECT_EQ(source_of("symbol:jbd2_journal_start"), Source::Symbols);
    EXPECT_TRUE(w.lookup("symbol:nobody_exports_this").empty());
    // Without the prefix modules.symbols is not consulted.
    EXPECT_TRUE(w.lookup("jbd2_journal_start").empty());
}

TEST_F(ResolveLookup, SymbolsComeBeforeModulesAlias) {
    ModuleTree t;
    t.module("exporter", {}, {}, {"foo"}).module("aliased", {}, {"symbol:foo"});
    w.build(t);
    EXPECT_EQ(keys("symbol:foo"), std::vector<std::string>{"exporter\\symbol:foo"});
}

TEST_F(ResolveLookup, InstallCommandNameResolves) {
    w.build(standard_tree(), "install fake-thing /bin/first\n"
                             "install fake-thing /bin/second\n"
                             "remove fake-thing /bin/rm-it\n");
    ModId id = w.one("fake-thing");
    const ModObject& m = w.r().get(id);
    EXPECT_EQ(m.name, "fake_thing");
    EXPECT_FALSE(m.alias.has_value());
    EXPECT_EQ(m.source, Source::Command);
    // The first exact install command is bound to the object; the remove command still comes
    // from the configuration.
    ASSERT_NE(w.r().install_command(id), nullptr);
    EXPECT_EQ(w.r().install_command(id)->command, "/bin/first");
    ASSERT_NE(w.r().remove_command(id), nullptr);
    EXPECT_EQ(w.r().remove_command(id)->command, "/bin/rm-it");
    auto path = w.r().path(id);
    ASSERT_TRUE(path.has_value());
    EXPECT_FALSE(path->has_value());
}

TEST_F(ResolveLookup, RemoveCommandNameResolvesWhenThereIsNoInstallCommand) {
    w.build(standard_tree(), "remove gone /bin/rm-gone\n");
    ModId id = w.one("gone");
    EXPECT_EQ(w.r().get(id).source, Source::Command);
    EXPECT_EQ(w.r().install_command(id), nullptr);
    ASSERT_NE(w.r().remove_command(id), nullptr);
    EXPECT_EQ(w.r().remove_command(id)->command, "/bin/rm-gone");
}

TEST_F(ResolveLookup, OnlyExactCommandNamesResolve) {
    w.build(standard_tree(), "install fake* /bin/true\n");
    EXPECT_TRUE(w.lookup("fake1").empty());
}

TEST_F(ResolveLookup, CommandsComeAfterModulesDep) {
    w.build(standard_tree(), "install ext4 /bin/ext4-install\n");
    ModId id = w.one("ext4");
    EXPECT_EQ(w.r().get(id).source, Source::ModulesDep);
    ASSERT_NE(w.r().install_command(id), nullptr);
    EXPECT_EQ(w.r().install_command(id)->command, "/bin/ext4-install");
}

TEST_F(ResolveLookup, ModulesAliasWildcardsInPriorityOrderWithDuplicates) {
    // Module order gives the priority, whatever order the trie holds the keys in. z_drv
    // matches through two patterns and is listed twice, as the same object.
    ModuleTree t;
    t.module("z_drv", {}, {"usb:v1234*", "usb:v1234p5678*"})
        .module("a_drv", {}, {"usb:*"})
        .module("m_drv", {}, {"usb:v12*"})
        .module("other", {}, {"usb:v9999*"});
    w.build(t);
    EXPECT_EQ(
        keys("usb:v1234p5678d0001"),
        (std::vector<std::string>{"z_drv\\usb:v1234p5678d0001", "z_drv\\usb:v1234p5678d0001",
                                  "a_drv\\usb:v1234p5678d0001", "m_drv\\usb:v1234p5678d0001"}));
    auto ids = w.lookup("usb:v1234p5678d0001");
    EXPECT_EQ(ids[0], ids[1]);
    EXPECT_EQ(w.r().get(ids[2]).source, Source::Alias);
}

TEST_F(ResolveLookup, IndexAliasKeepsTheNormalisedInputAsItsAlias) {
    w.build(standard_tree(), "options fs-ext4 via_alias=1\n");
    ModId id = w.one("fs-ext4");
    EXPECT_EQ(w.r().get(id).name, "ext4");
    EXPECT_EQ(w.r().get(id).alias, std::optional<std::string>("fs_ext4"));
    EXPECT_EQ(w.r().options(id), "via_alias=1");
    EXPECT_EQ(w.r().options(w.one("ext4")), "");
}

TEST_F(ResolveLookup, ModulesAliasComesBeforeBuiltin) {
    ModuleTree t;
    t.module("loader", {}, {"thing"}).builtin("thing");
    w.build(t);
    EXPECT_EQ(keys("thing"), std::vector<std::string>{"loader\\thing"});
}

TEST_F(ResolveLookup, BuiltinModule) {
    w.build(standard_tree());
    ModId id = w.one("unix");
    EXPECT_EQ(w.r().get(id).source, Source::Builtin);
    EXPECT_FALSE(w.r().get(id).alias.has_value());
    EXPECT_EQ(w.r().is_builtin(id), true);
    auto path = w.r().path(id);
    ASSERT_TRUE(path.has_value());
    EXPECT_FALSE(path->has_value());
}

TEST_F(ResolveLookup, BuiltinAliasIsTheLastSource) {
    w.build(standard_tree());
    EXPECT_EQ(keys("net-pf-1"), std::vector<std::string>{"unix\\net_pf_1"});
    ModId id = w.one("net-pf-1");
    EXPECT_EQ(w.r().get(id).source, Source::BuiltinAlias);
    EXPECT_EQ(w.r().is_builtin(id), true);
}

TEST_F(ResolveLookup, BuiltinComesBeforeBuiltinAlias) {
    ModuleTree t;
    t.builtin("thing").builtin("other", {"thing"});
    w.build(t);
    EXPECT_EQ(keys("thing"), std::vector<std::string>{"thing"});
}

TEST_F(ResolveLookup, ByNameAndByAliasAreDifferentObjects) {
    w.build(standard_tree(), "alias my-ext4 ext4\n"
                             "options my-ext4 b=2\n"
                             "options ext4 a=1\n"
                             "options ext4 c=3\n");
    ModId direct = w.one("ext4");
    ModId aliased = w.one("my-ext4");
    EXPECT_NE(direct, aliased);
    EXPECT_EQ(w.r().by_name("ext4"), direct);
    // The pool hands back the same objects on the next lookup.
    EXPECT_EQ(w.one("ext4"), direct);
    EXPECT_EQ(w.one("my_ext4"), aliased);
    // Options by alias only reach the alias object; all matches are joined in file order.
    EXPECT_EQ(w.r().options(direct), "a=1 c=3");
    EXPECT_EQ(w.r().options(aliased), "b=2 a=1 c=3");
    std::vector<unsigned> lines;
    for (const config::Options* o : w.r().option_entries(aliased))
        lines.push_back(o->origin.line);
    EXPECT_EQ(lines, (std::vector<unsigned>{2, 3, 4}));
}

TEST_F(ResolveLookup, ForgetModulesEmptiesThePool) {
    w.build(standard_tree());
    ModId first = w.one("ext4");
    w.one("crc16");
    w.r().forget_modules();
    ModId again = w.one("crc16");
    EXPECT_EQ(again, first); // numbering starts over
    EXPECT_EQ(w.r().get(again).name, "crc16");
}

TEST_F(ResolveLookup, DependenciesAreTheDepLineReversed) {
    w.build(standard_tree());
    ModId ext4 = w.one("ext4");
    auto deps = w.r().dependencies(ext4);
    ASSERT_TRUE(deps.has_value());
    std::vector<std::string> names;
    for (ModId d : *deps)
        names.push_back(w.r().get(d).name);
    EXPECT_EQ(names, (std::vector<std::string>{"crc16", "mbcache", "jbd2"}));
    auto path = w.r().path(ext4);
    ASSERT_TRUE(path.has_value());
    EXPECT_EQ(*path, std::optional<std::string>(w.path_of("ext4")));
    // Dependencies are objects by name, with the path of their dep entry.
    EXPECT_EQ(deps->front(), w.r().by_name("crc16"));
    EXPECT_EQ(w.r().get(deps->front()).path, std::optional<std::string>(w.path_of("crc16")));
    EXPECT_EQ(w.r().is_builtin(deps->front()), false);
}

TEST_F(ResolveLookup, AMissingDependencyFileDropsAllDependencies) {
    // kmod_module_new_from_path stats every file of the dep line; one missing file makes the
    // whole list fail (libkmod logs it and probes the module alone).
    w.build(standard_tree());
    std::filesystem::remove(w.path_of("mbcache"));
    ModId ext4 = w.one("ext4");
    auto deps = w.r().dependencies(ext4);
    ASSERT_TRUE(deps.has_value());
    EXPECT_TRUE(deps->empty());
    EXPECT_EQ(w.messages(), std::vector<std::string>{"ctx path=" + w.path_of("mbcache") +
                                                     " error=No such file or directory"});
}

TEST_F(ResolveLookup, ByPathRefusesASecondPathForOneName) {
    w.build(standard_tree());
    auto first = w.r().by_path(w.path_of("crc16"));
    ASSERT_TRUE(first.has_value());
    std::string other = w.dir() + "/crc16.ko";
    test::write_file(other, std::string_view("x"));
    auto second = w.r().by_path(other);
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().sys_errno, EEXIST);
    EXPECT_EQ(w.messages().back(),
              "kmod_module 'crc16' already exists with different path: new-path='" + other +
                  "' old-path='" + w.path_of("crc16") + "'");
    auto missing = w.r().by_path(w.dir() + "/nope.ko");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().sys_errno, ENOENT);
}

TEST_F(ResolveLookup, LookupNameForModinfoIgnoresAliasesAndCommands) {
    w.build(standard_tree());
    auto dir = index::ModuleDirectory(w.dir());
    auto by = [&](std::string_view name) {
        std::vector<std::string> out;
        auto found = lookup_name(dir, name);
        EXPECT_TRUE(found.has_value());
        if (found)
            for (const Found& f : *found)
                out.push_back(f.name + "/" + source_name(f.source));
        return out;
    };
    EXPECT_EQ(by("ext4"), std::vector<std::string>{"ext4/modules.dep"});
    EXPECT_EQ(by("unix"), std::vector<std::string>{"unix/modules.builtin"});
    EXPECT_EQ(by("net-pf-1"), std::vector<std::string>{"unix/modules.builtin.alias"});
    EXPECT_TRUE(by("fs-ext4").empty());                   // modules.alias is not consulted
    EXPECT_TRUE(by("symbol:jbd2_journal_start").empty()); // nor modules.symbols
}

TEST_F(ResolveLookup, MissingIndexesMeanNoAnswer) {
    ModuleTree t;
    w.build(t, "alias foo bar\n");
    for (const char* f : {"modules.dep.bin", "modules.alias.bin", "modules.symbols.bin",
                          "modules.builtin.bin", "modules.builtin.alias.bin"})
        std::filesystem::remove(w.dir() + "/" + f);
    EXPECT_TRUE(w.lookup("anything").empty());
    EXPECT_EQ(keys("foo"), std::vector<std::string>{"bar\\foo"});
}

TEST_F(ResolveLookup, CorruptIndexIsAnError) {
    w.build(standard_tree());
    test::write_file(w.dir() + "/modules.alias.bin", std::string_view("garbage, not an index"));
    EXPECT_TRUE(w.r().lookup("ext4").has_value()); // answered before modules.alias
    EXPECT_FALSE(w.r().lookup("fs-ext4").has_value());
}

} // namespace
} // namespace modkit::resolve
