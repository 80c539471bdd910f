// depmod/graph and depmod/outputs on hand-made records: symbol ownership, direct dependencies
// in modules.dep, modules.order ordering, a dependency cycle refused with kmod's report, and
// rendering that does not depend on the thread count.
#include "depmod/graph.hpp"
#include "depmod/outputs.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace modkit::depmod {
namespace {

// Modules with exports and imports, owned by the test (records point into `names`).
class Tree {
public:
    Tree& add(const std::string& name, std::vector<std::string> exports,
              std::vector<std::string> imports) {
        Candidate c;
        c.name = name;
        c.relpath = "kernel/" + name + ".ko";
        c.path = "/lib/modules/9.9/" + c.relpath;
        m_files.push_back(c);
        ModuleRecord r;
        for (const auto& e : exports)
            r.exports.push_back({keep(e), 0x1234, false});
        for (const auto& i : imports)
            r.imports.push_back({keep(i), 0x1234, false});
        m_records.push_back(std::move(r));
        return *this;
    }

    DepGraph graph(const std::optional<std::string>& order = std::nullopt) const {
        std::vector<const Candidate*> files;
        std::vector<const ModuleRecord*> records;
        for (size_t i = 0; i < m_files.size(); ++i) {
            files.push_back(&m_files[i]);
            records.push_back(&m_records[i]);
        }
        return DepGraph(files, records, order, "/lib/modules/9.9/modules.order");
    }

private:
    std::string_view keep(const std::string& s) { return m_names.emplace_back(s); }
    std::deque<std::string> m_names;
    std::deque<Candidate> m_files;
    std::deque<ModuleRecord> m_records;
};

std::string file_of(const RenderResult& r, const std::string& name) {
    for (const auto& f : r.files)
        if (f.name == name) return f.content;
    ADD_FAILURE() << name << " not rendered";
    return {};
}

TEST(DepmodGraph, DependenciesFollowImportedSymbols) {
    Tree t;
    t.add("ext4", {"ext4_sym"}, {"jbd2_start", "crc16"})
        .add("jbd2", {"jbd2_start"}, {"crc16"})
        .add("crc16", {"crc16"}, {})
        .add("lonely", {}, {"nobody_exports_this"});
    DepGraph g = t.graph();
    ASSERT_TRUE(g.resolve({}));
    RenderResult r = render_outputs(g, {std::string(), std::string(), "/lib/modules/9.9"}, false);
    ASSERT_FALSE(r.fatal);
    const std::string dep = file_of(r, "modules.dep");
    EXPECT_NE(dep.find("kernel/ext4.ko: kernel/jbd2.ko kernel/crc16.ko\n"), std::string::npos)
        << dep;
    EXPECT_NE(dep.find("kernel/jbd2.ko: kernel/crc16.ko\n"), std::string::npos) << dep;
    EXPECT_NE(dep.find("kernel/crc16.ko:\n"), std::string::npos) << dep;
    EXPECT_NE(dep.find("kernel/lonely.ko:\n"), std::string::npos) << dep;
    const std::string symbols = file_of(r, "modules.symbols");
    EXPECT_NE(symbols.find("alias symbol:jbd2_start jbd2\n"), std::string::npos) << symbols;
}

TEST(DepmodGraph, ModulesOrderDecidesTheOrderOfModulesDep) {
    Tree t;
    t.add("a", {}, {}).add("b", {}, {}).add("c", {}, {});
    DepGraph g = t.graph(std::string("kernel/c.ko\nkernel/a.ko\nkernel/b.ko\n"));
    ASSERT_TRUE(g.resolve({}));
    RenderResult r = render_outputs(g, {std::string(), std::string(), "/lib/modules/9.9"}, false);
    EXPECT_EQ(file_of(r, "modules.dep"), "kernel/c.ko:\nkernel/a.ko:\nkernel/b.ko:\n");
}

TEST(DepmodGraph, ACycleIsRefusedAndReported) {
    Tree t;
    t.add("a", {"sym_a"}, {"sym_b"}).add("b", {"sym_b"}, {"sym_a"}).add("c", {}, {"sym_a"});
    DepGraph g = t.graph();
    EXPECT_FALSE(g.resolve({}));
    std::string all;
    for (const auto& m : g.messages())
        all += m.message + "\n";
    EXPECT_NE(all.find("Cycle detected"), std::string::npos) << all;
    EXPECT_NE(all.find("Found 2 modules in dependency cycles!"), std::string::npos) << all;
}

TEST(DepmodGraph, RenderingIsTheSameOnAnyNumberOfThreads) {
    Tree t;
    for (int i = 0; i < 64; ++i)
        t.add("m" + std::to_string(i), {"s" + std::to_string(i)},
              i ? std::vector<std::string>{"s" + std::to_string(i - 1)}
                : std::vector<std::string>{});
    DepGraph g = t.graph();
    ASSERT_TRUE(g.resolve({}));
    BuiltinInputs b{std::string(), std::string(), "/lib/modules/9.9"};
    RenderResult one = render_outputs(g, b, false, 1);
    RenderResult four = render_outputs(g, b, false, 4);
    ASSERT_EQ(one.files.size(), four.files.size());
    for (size_t i = 0; i < one.files.size(); ++i) {
        EXPECT_EQ(one.files[i].name, four.files[i].name);
        EXPECT_EQ(one.files[i].content, four.files[i].content) << one.files[i].name;
    }
}

TEST(DepmodGraph, NonAsciiKeysAreFatalAsInKmod34) {
    Tree t;
    t.add("bad", {"caf\xc3\xa9"}, {});
    DepGraph g = t.graph();
    ASSERT_TRUE(g.resolve({}));
    RenderResult r = render_outputs(g, {std::string(), std::string(), "/lib/modules/9.9"}, false);
    EXPECT_TRUE(r.fatal.has_value());
}

} // namespace
} // namespace modkit::depmod
