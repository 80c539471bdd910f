// abi/diff and abi/stablelist: added, removed and changed exports grouped by module, which
// changes break modules built against the old kernel and which given modules they break; the
// kabi_stablelist format with its errors; Module.symvers cut at every length.
#include "abi/diff.hpp"
#include "abi/stablelist.hpp"
#include "abi/symvers.hpp"
#include "abi/target_files.hpp"

#include "elf_builder.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace modkit::abi {
namespace {

ExportTable table(std::string text) {
    auto s = Symvers::from_text(std::move(text), "Module.symvers");
    EXPECT_TRUE(s) << s.error().describe();
    return ExportTable::from_symvers(*s, true);
}

const char* k_old = "0x00000001\tkept\tvmlinux\tEXPORT_SYMBOL\t\n"
                    "0x00000002\tcrc_changes\tvmlinux\tEXPORT_SYMBOL\t\n"
                    "0x00000003\tremoved\tdrivers/foo\tEXPORT_SYMBOL\t\n"
                    "0x00000004\tbecomes_gpl\tvmlinux\tEXPORT_SYMBOL\t\n"
                    "0x00000005\tgets_ns\tvmlinux\tEXPORT_SYMBOL_GPL\t\n"
                    "0x00000006\tmoves\tdrivers/foo\tEXPORT_SYMBOL\t\n";
const char* k_new = "0x00000001\tkept\tvmlinux\tEXPORT_SYMBOL\t\n"
                    "0x00000022\tcrc_changes\tvmlinux\tEXPORT_SYMBOL\t\n"
                    "0x00000004\tbecomes_gpl\tvmlinux\tEXPORT_SYMBOL_GPL\t\n"
                    "0x00000005\tgets_ns\tvmlinux\tEXPORT_SYMBOL_GPL\tNEW_NS\n"
                    "0x00000006\tmoves\tdrivers/bar\tEXPORT_SYMBOL\t\n"
                    "0x00000007\tadded\tdrivers/bar\tEXPORT_SYMBOL\t\n";

TEST(AbiDiff, ChangesAreClassifiedAndGroupedByModule) {
    DiffResult r = diff_exports(table(k_old), table(k_new), nullptr, {});
    EXPECT_EQ(r.added, 1u);
    EXPECT_EQ(r.removed, 1u);
    EXPECT_EQ(r.changed, 4u);
    EXPECT_EQ(r.breaking, 4u); // removed, CRC, now GPL-only, namespace (a move alone is not)
    std::string order;
    for (const auto& c : r.changes)
        order += c.owner + ":" + c.symbol + " ";
    EXPECT_EQ(order, "vmlinux:becomes_gpl vmlinux:crc_changes vmlinux:gets_ns drivers/bar:added "
                     "drivers/bar:moves drivers/foo:removed ");
}

TEST(AbiDiff, OnlyModulesUsingABrokenSymbolAreBroken) {
    ModuleUse gpl{"/x/gpl.ko", true, {"becomes_gpl", "kept"}};
    ModuleUse prop{"/x/prop.ko", false, {"becomes_gpl"}};
    ModuleUse crc{"/x/crc.ko", true, {"crc_changes", "removed"}};
    DiffResult r = diff_exports(table(k_old), table(k_new), nullptr, {gpl, prop, crc});
    ASSERT_EQ(r.broken_modules.size(), 2u);
    EXPECT_EQ(r.broken_modules[0].first, "/x/crc.ko");
    EXPECT_EQ(r.broken_modules[0].second, (std::vector<std::string>{"crc_changes", "removed"}));
    EXPECT_EQ(r.broken_modules[1].first, "/x/prop.ko"); // GPL-only breaks only non-GPL users
}

TEST(AbiDiff, AStablelistLimitsTheBreaks) {
    auto list = Stablelist::parse("[rhel9_x86_64_stablelist]\n\tcrc_changes\n\tkept\n", "list");
    ASSERT_TRUE(list);
    DiffResult r = diff_exports(table(k_old), table(k_new), &*list, {});
    EXPECT_EQ(r.breaking, 1u);
    EXPECT_EQ(r.changes.size(), 6u); // every change still listed, only one counts
}

TEST(Stablelist, GrammarAndErrors) {
    auto ok = Stablelist::parse("# c\n[a_b]\n\tsym1\n  sym2\nsym3\n\n[c]\n\tsym1\n", "f");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->size(), 3u);
    EXPECT_EQ(ok->sections(), (std::vector<std::string>{"a_b", "c"}));
    EXPECT_TRUE(ok->contains("sym2"));
    struct Bad {
        const char* text;
        unsigned line;
    };
    for (Bad b : {Bad{"[a\n", 1}, Bad{"\tok\n\tnot ok\n", 2}, Bad{"[]\n", 1}, Bad{"x\n\t-\n", 2}}) {
        auto r = Stablelist::parse(b.text, "kabi_stablelist_x86_64");
        ASSERT_FALSE(r) << b.text;
        EXPECT_EQ(r.error().line, b.line) << b.text;
        EXPECT_EQ(r.error().path, "kabi_stablelist_x86_64");
    }
}

TEST(Symvers, EveryTruncationParsesOrNamesItsLine) {
    std::string text = k_old;
    for (size_t n = 0; n <= text.size(); ++n) {
        auto r = Symvers::from_text(text.substr(0, n), "Module.symvers");
        if (!r) {
            EXPECT_EQ(r.error().path, "Module.symvers");
            EXPECT_GT(r.error().line, 0u) << n;
        }
    }
}

TEST(Symvers, GzipFilesAreReadLikePlainOnes) {
    test::TempDir dir;
    test::write_file(dir.file("symvers.gz"), test::gzip_compress(test::to_bytes(k_new)));
    auto s = load_symvers_file(dir.file("symvers.gz"));
    ASSERT_TRUE(s) << s.error().describe();
    EXPECT_EQ(s->size(), 6u);
    test::write_file(dir.file("bad.gz"), std::string("\x1f\x8b garbage"));
    auto bad = load_symvers_file(dir.file("bad.gz"));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().path, dir.file("bad.gz"));
}

} // namespace
} // namespace modkit::abi
