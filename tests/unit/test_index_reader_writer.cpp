// The kmod index: IndexBuilder's trie (priorities, splitting, ASCII-only keys) and both on-disk
// layouts, checked byte for byte against hand-computed files and against the reference writer
// (tests/data/index, made by shared/reference/idxwrite.py); IndexReader's exact, wildcard and
// dump lookups against a brute-force oracle; and corrupt files.
#include "index/format.hpp"
#include "index/reader.hpp"
#include "index/writer.hpp"

#include "module/module_file.hpp"
#include "module/names.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <random>

namespace modkit::index {
namespace {

std::span<const uint8_t> as_bytes(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Owns the serialised bytes together with a reader over them.
struct Loaded {
    std::string bytes;
    IndexReader reader;
};

std::unique_ptr<Loaded> load(std::string bytes) {
    auto l = std::unique_ptr<Loaded>(new Loaded{std::move(bytes), {}});
    auto r = IndexReader::from_bytes(as_bytes(l->bytes), "test.bin");
    EXPECT_TRUE(r) << r.error().describe();
    if (r) l->reader = std::move(*r);
    return l;
}

std::vector<std::pair<std::string, std::string>> dump_all(const IndexReader& r) {
    std::vector<std::pair<std::string, std::string>> out;
    auto ok = r.dump([&](std::string_view k, std::string_view v) { out.emplace_back(k, v); });
    EXPECT_TRUE(ok) << ok.error().describe();
    return out;
}

std::vector<std::pair<std::string, uint32_t>> wild(const IndexReader& r, std::string_view key) {
    auto vals = r.search_wild(key);
    EXPECT_TRUE(vals) << vals.error().describe();
    std::vector<std::pair<std::string, uint32_t>> out;
    if (vals)
        for (const auto& v : *vals)
            out.emplace_back(v.value, v.priority);
    return out;
}

std::optional<std::string> exact(const IndexReader& r, std::string_view key) {
    auto v = r.search(key);
    EXPECT_TRUE(v) << v.error().describe();
    if (!v || !*v) return std::nullopt;
    return std::string(**v);
}

std::string be32(uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
            static_cast<char>(v)};
}

const std::string k_header_prefix = be32(k_magic) + be32(k_version);

// ---------------------------------------------------------------------------------------------
// Writer: exact bytes.

TEST(IndexWriter, EmptyIndexIsTwelveBytesWithRootTwelve) {
    IndexBuilder b;
    for (auto layout : {Layout::PreOrder, Layout::PostOrder}) {
        std::string bytes = b.serialize(layout);
        EXPECT_EQ(bytes, k_header_prefix + be32(12));
        auto l = load(bytes);
        EXPECT_EQ(exact(l->reader, "x"), std::nullopt);
        EXPECT_EQ(exact(l->reader, ""), std::nullopt);
        EXPECT_TRUE(wild(l->reader, "x").empty());
        EXPECT_TRUE(dump_all(l->reader).empty());
    }
}

TEST(IndexWriter, TinyTrieBytesInBothLayouts) {
    IndexBuilder b;
    ASSERT_TRUE(b.insert("ab", "x", 1));
    const std::string leaf = std::string("b\0", 2) + be32(1) + be32(1) + std::string("x\0", 2);
    // Pre-order: root at 12 (children 'a'..'a', 6 bytes), then the leaf at 18.
    EXPECT_EQ(b.serialize(Layout::PreOrder), k_header_prefix + be32(12 | k_flag_childs) + "aa" +
                                                 be32(18 | k_flag_prefix | k_flag_values) + leaf);
    // Post-order: the leaf first at 12, then the root at 24, patched into the header.
    EXPECT_EQ(b.serialize(Layout::PostOrder), k_header_prefix + be32(24 | k_flag_childs) + leaf +
                                                  "aa" + be32(12 | k_flag_prefix | k_flag_values));
}

TEST(IndexWriter, ChildTableSpansFirstToLastByte) {
    IndexBuilder b;
    ASSERT_TRUE(b.insert("a", "1", 0));
    ASSERT_TRUE(b.insert("d", "2", 0));
    std::string bytes = b.serialize();
    // root: 'a' 'd' + 4 pointers (a, b=0, c=0, d) = 18 bytes, children follow at 30 and 42.
    const std::string child1 = be32(1) + be32(0) + std::string("1\0", 2);
    const std::string child2 = be32(1) + be32(0) + std::string("2\0", 2);
    EXPECT_EQ(bytes, k_header_prefix + be32(12 | k_flag_childs) + "ad" + be32(30 | k_flag_values) +
                         be32(0) + be32(0) + be32(40 | k_flag_values) + child1 + child2);
}

TEST(IndexWriter, NonAsciiKeysAndValuesAreRejected) {
    IndexBuilder b;
    ASSERT_TRUE(b.insert("ok", "v", 0));
    const std::string before = b.serialize();
    EXPECT_FALSE(b.insert("caf\xc3\xa9", "v", 0));
    EXPECT_FALSE(b.insert("\x80", "v", 0));
    EXPECT_FALSE(b.insert(std::string_view("a\0b", 3), "v", 0));
    EXPECT_FALSE(b.insert("key", "\xff", 0));
    EXPECT_FALSE(b.insert("key", std::string_view("v\0w", 3), 0));
    EXPECT_EQ(b.serialize(), before);
    EXPECT_TRUE(b.insert("key", "", 0)); // an empty value is fine (modules.builtin.bin)
    EXPECT_TRUE(b.insert("\x7f", "del", 0));
}

TEST(IndexWriter, EmptyKeyStoresOnTheRoot) {
    IndexBuilder b;
    ASSERT_TRUE(b.insert("", "root value", 3));
    auto l = load(b.serialize());
    EXPECT_EQ(exact(l->reader, ""), "root value");
    EXPECT_EQ(dump_all(l->reader),
              (std::vector<std::pair<std::string, std::string>>{{"", "root value"}}));
}

// ---------------------------------------------------------------------------------------------
// Values, splitting, search and dump.

TEST(IndexReader, ExactSearchReturnsTheLowestPriorityValue) {
    IndexBuilder b;
    b.insert("k", "b", 5);
    b.insert("k", "a", 3);
    b.insert("k", "c", 3);
    b.insert("k", "z", 9);
    b.insert("other", "o", 0);
    for (auto layout : {Layout::PreOrder, Layout::PostOrder}) {
        auto l = load(b.serialize(layout));
        EXPECT_EQ(exact(l->reader, "k"), "c"); // ties: the last inserted comes first
        EXPECT_EQ(exact(l->reader, "other"), "o");
        EXPECT_EQ(exact(l->reader, "kk"), std::nullopt);
        EXPECT_EQ(exact(l->reader, "othe"), std::nullopt);
        EXPECT_EQ(exact(l->reader, "others"), std::nullopt);
        EXPECT_EQ(exact(l->reader, ""), std::nullopt);
    }
}

TEST(IndexReader, ValuesAreOrderedByPriorityTiesLastInsertedFirst) {
    IndexBuilder b;
    b.insert("k", "b", 5);
    b.insert("k", "a", 3);
    b.insert("k", "c", 3);
    b.insert("k", "z", 9);
    b.insert("k", "first", 0);
    b.insert("k", "b", 5); // duplicates are kept
    auto l = load(b.serialize());
    // Stored (and dumped) order: ascending priority, ties last inserted first.
    // search_wild re-inserts each stored value with the same rule, as libkmod's add_value does,
    // so ties within one node come out reversed again.
    EXPECT_EQ(wild(l->reader, "k"),
              (std::vector<std::pair<std::string, uint32_t>>{
                  {"first", 0}, {"a", 3}, {"c", 3}, {"b", 5}, {"b", 5}, {"z", 9}}));
    EXPECT_EQ(dump_all(l->reader),
              (std::vector<std::pair<std::string, std::string>>{
                  {"k", "first"}, {"k", "c"}, {"k", "a"}, {"k", "b"}, {"k", "b"}, {"k", "z"}}));
}

TEST(IndexReader, InsertByPriorityMatchesTheWriter) {
    std::vector<IndexValue> v;
    insert_by_priority(v, {"b", 5});
    insert_by_priority(v, {"a", 3});
    insert_by_priority(v, {"c", 3});
    insert_by_priority(v, {"d", 7});
    std::vector<std::string> order;
    for (const auto& x : v)
        order.emplace_back(x.value);
    EXPECT_EQ(order, (std::vector<std::string>{"c", "a", "b", "d"}));
}

TEST(IndexWriter, SplitAtTheFirstPrefixByte) {
    // "ab" makes a leaf "b" under 'a'; "ac" splits it at its first byte into an empty node
    // with children 'b' and 'c'.
    IndexBuilder b;
    ASSERT_TRUE(b.insert("ab", "1", 0));
    ASSERT_TRUE(b.insert("ac", "2", 0));
    const std::string leaf1 = be32(1) + be32(0) + std::string("1\0", 2);
    const std::string leaf2 = be32(1) + be32(0) + std::string("2\0", 2);
    EXPECT_EQ(b.serialize(), k_header_prefix + be32(12 | k_flag_childs) + "aa" +
                                 be32(18 | k_flag_childs) + "bc" + be32(28 | k_flag_values) +
                                 be32(38 | k_flag_values) + leaf1 + leaf2);
}

TEST(IndexReader, NodeSplittingKeepsEveryKey) {
    IndexBuilder b;
    b.insert("abcdef", "1", 0);
    b.insert("abcxyz", "2", 0); // splits "bcdef" into "bc" -> 'd' "ef" and 'x' "yz"
    b.insert("ab", "3", 0);     // splits "bc" again at 'c'
    b.insert("abcdefgh", "4", 0);
    b.insert("abc", "5", 0); // lands on the empty node after 'c'
    for (auto layout : {Layout::PreOrder, Layout::PostOrder}) {
        auto l = load(b.serialize(layout));
        EXPECT_EQ(exact(l->reader, "abcdef"), "1");
        EXPECT_EQ(exact(l->reader, "abcxyz"), "2");
        EXPECT_EQ(exact(l->reader, "ab"), "3");
        EXPECT_EQ(exact(l->reader, "abcdefgh"), "4");
        EXPECT_EQ(exact(l->reader, "abc"), "5");
        EXPECT_EQ(exact(l->reader, "a"), std::nullopt);
        EXPECT_EQ(exact(l->reader, "abcd"), std::nullopt);
        EXPECT_EQ(exact(l->reader, "abcdefg"), std::nullopt);
        EXPECT_EQ(exact(l->reader, "abcx"), std::nullopt);
        EXPECT_EQ(
            dump_all(l->reader),
            (std::vector<std::pair<std::string, std::string>>{
                {"ab", "3"}, {"abc", "5"}, {"abcdef", "1"}, {"abcdefgh", "4"}, {"abcxyz", "2"}}));
    }
}

TEST(IndexReader, DumpIsNodeValuesThenChildrenByAscendingByte) {
    IndexBuilder b;
    const std::vector<std::string> keys = {"zeta", "alpha", "al", "alp-ha", "al_pha", "b",
                                           "a",    "Alpha", "0",  "al*",    "al?x"};
    uint32_t prio = 0;
    for (const auto& k : keys)
        b.insert(k, "v-" + k, prio++);
    auto sorted = keys;
    std::sort(sorted.begin(), sorted.end()); // byte order == pre-order of the trie
    std::vector<std::pair<std::string, std::string>> expected;
    for (const auto& k : sorted)
        expected.emplace_back(k, "v-" + k);
    for (auto layout : {Layout::PreOrder, Layout::PostOrder})
        EXPECT_EQ(dump_all(load(b.serialize(layout))->reader), expected);
}

// ---------------------------------------------------------------------------------------------
// Wildcards.

class IndexWildcards : public testing::Test {
protected:
    void SetUp() override {
        m_b.insert("pci:v00008086d*", "intel-any", 2);
        m_b.insert("pci:v0000808?d1234", "intel-q", 1);
        m_b.insert("pci:v[0-9]*", "digits", 7);
        m_b.insert("pci:v00008086d1234", "literal", 4);
        m_b.insert("usb*", "usb-all", 0);
        m_b.insert("a", "plain-a", 3);
        m_b.insert("a*", "edge-star", 5); // '*' is the edge byte after "a"
        m_b.insert("ab", "plain-ab", 6);
        m_b.insert("xyz*abc", "in-prefix", 1); // '*' inside a node prefix
        m_b.insert("x?", "x-any", 2);
        m_b.insert("m[ab]n", "bracket", 8);
        m_b.insert("*", "everything", 9);
    }
    IndexBuilder m_b;
};

TEST_F(IndexWildcards, StoredPatternsMatchTheRestOfTheKey) {
    for (auto layout : {Layout::PreOrder, Layout::PostOrder}) {
        auto l = load(m_b.serialize(layout));
        const IndexReader& r = l->reader;
        using W = std::vector<std::pair<std::string, uint32_t>>;
        EXPECT_EQ(wild(r, "pci:v00008086d1234"), (W{{"intel-q", 1},
                                                    {"intel-any", 2},
                                                    {"literal", 4},
                                                    {"digits", 7},
                                                    {"everything", 9}}));
        EXPECT_EQ(wild(r, "pci:v00008087d1234"),
                  (W{{"intel-q", 1}, {"digits", 7}, {"everything", 9}}));
        EXPECT_EQ(wild(r, "pci:vx"), (W{{"everything", 9}}));
        EXPECT_EQ(wild(r, "usb"), (W{{"usb-all", 0}, {"everything", 9}}));
        EXPECT_EQ(wild(r, "usb:v1p2"), (W{{"usb-all", 0}, {"everything", 9}}));
        EXPECT_EQ(wild(r, "a"), (W{{"plain-a", 3}, {"edge-star", 5}, {"everything", 9}}));
        EXPECT_EQ(wild(r, "ab"), (W{{"edge-star", 5}, {"plain-ab", 6}, {"everything", 9}}));
        EXPECT_EQ(wild(r, "abc"), (W{{"edge-star", 5}, {"everything", 9}}));
        EXPECT_EQ(wild(r, "xyzabc"), (W{{"in-prefix", 1}, {"everything", 9}}));
        EXPECT_EQ(wild(r, "xyz--abc"), (W{{"in-prefix", 1}, {"everything", 9}}));
        EXPECT_EQ(wild(r, "xyz--ab"), (W{{"everything", 9}}));
        EXPECT_EQ(wild(r, "xy"), (W{{"x-any", 2}, {"everything", 9}}));
        EXPECT_EQ(wild(r, "x"), (W{{"everything", 9}}));
        EXPECT_EQ(wild(r, "man"), (W{{"bracket", 8}, {"everything", 9}}));
        EXPECT_EQ(wild(r, "mcn"), (W{{"everything", 9}}));
        EXPECT_EQ(wild(r, ""), (W{{"everything", 9}}));
    }
}

TEST_F(IndexWildcards, ExactSearchTreatsWildcardsLiterally) {
    auto l = load(m_b.serialize());
    EXPECT_EQ(exact(l->reader, "pci:v00008086d*"), "intel-any");
    EXPECT_EQ(exact(l->reader, "pci:v00008086d1234"), "literal");
    EXPECT_EQ(exact(l->reader, "pci:v00008086d9999"), std::nullopt);
    EXPECT_EQ(exact(l->reader, "*"), "everything");
    EXPECT_EQ(exact(l->reader, "usbfoo"), std::nullopt);
}

// A brute-force oracle: every stored (key, value, priority) whose key, as an fnmatch pattern,
// matches the lookup key. Test keys avoid backslashes, so matching the whole key equals
// libkmod's literal prefix + fnmatch of the rest.
struct Entry {
    std::string key, value;
    uint32_t priority;
    size_t order;
};

TEST(IndexReader, RandomTriesAgreeWithABruteForceOracle) {
    std::mt19937 rng(20240611);
    const std::string alphabet = "ab-_:09*?[]"; // lookup keys use the first 7 only
    auto random_key = [&](size_t max_len, bool wild) {
        std::uniform_int_distribution<size_t> len(0, max_len);
        std::uniform_int_distribution<size_t> pick(0, wild ? alphabet.size() - 1 : 6);
        std::string k;
        for (size_t n = len(rng); n > 0; --n)
            k += alphabet[pick(rng)];
        return k;
    };
    for (int round = 0; round < 4; ++round) {
        IndexBuilder b;
        std::vector<Entry> entries;
        for (size_t i = 0; i < 150; ++i) {
            std::string key = random_key(6, round % 2 == 1);
            std::string value = "v" + std::to_string(i);
            auto prio = static_cast<uint32_t>(rng() % 5);
            ASSERT_TRUE(b.insert(key, value, prio));
            entries.push_back({key, value, prio, i});
        }
        auto pre = load(b.serialize(Layout::PreOrder));
        auto post = load(b.serialize(Layout::PostOrder));
        for (int q = 0; q < 300; ++q) {
            std::string key = random_key(7, false);
            // Exact: lowest priority, ties to the last inserted.
            std::optional<std::string> expected;
            uint32_t best = UINT32_MAX;
            for (const auto& e : entries) {
                if (e.key == key && e.priority <= best) {
                    best = e.priority;
                    expected = e.value;
                }
            }
            EXPECT_EQ(exact(pre->reader, key), expected) << key;
            EXPECT_EQ(exact(post->reader, key), expected) << key;

            std::vector<std::pair<std::string, uint32_t>> oracle;
            for (const auto& e : entries) {
                if (fnmatch(e.key.c_str(), key.c_str(), 0) == 0)
                    oracle.emplace_back(e.value, e.priority);
            }
            auto got = wild(pre->reader, key);
            EXPECT_EQ(got, wild(post->reader, key)) << key;
            EXPECT_TRUE(std::is_sorted(got.begin(), got.end(), [](const auto& x, const auto& y) {
                return x.second < y.second;
            })) << key;
            std::sort(got.begin(), got.end());
            std::sort(oracle.begin(), oracle.end());
            EXPECT_EQ(got, oracle) << "key '" << key << "' round " << round;
        }
        EXPECT_EQ(dump_all(pre->reader), dump_all(post->reader));
        EXPECT_EQ(dump_all(pre->reader).size(), entries.size());
    }
}

// ---------------------------------------------------------------------------------------------
// Cross-check with the reference writer (tests/data/index, see generate.sh there).

const std::string k_data = std::string(MODKIT_TEST_DATA) + "/index";

std::vector<std::string> text_lines(const std::string& path) {
    auto bytes = test::read_file(path);
    std::vector<std::string> out;
    std::string cur;
    for (uint8_t c : bytes) {
        if (c == '\n') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += static_cast<char>(c);
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

// The five tries depmod writes, with the keys, values and priorities idxwrite.py uses.
std::map<std::string, IndexBuilder> build_reference_tries(const std::string& dir) {
    std::map<std::string, IndexBuilder> out;
    std::map<std::string, uint32_t> idx;
    auto dep = text_lines(dir + "/modules.dep");
    for (uint32_t i = 0; i < dep.size(); ++i) {
        std::string name = module::path_to_modname(dep[i].substr(0, dep[i].find(':')));
        idx[name] = i;
        EXPECT_TRUE(out["modules.dep.bin"].insert(name, dep[i], i));
    }
    auto three = [](const std::string& line) {
        auto a = line.find(' '), b = line.find(' ', a + 1);
        return std::pair(line.substr(a + 1, b - a - 1), line.substr(b + 1));
    };
    for (const auto& line : text_lines(dir + "/modules.alias")) {
        if (line.starts_with('#')) continue;
        auto [alias, mod] = three(line);
        EXPECT_TRUE(
            out["modules.alias.bin"].insert(*module::alias_normalize(alias), mod, idx.at(mod)));
    }
    for (const auto& line : text_lines(dir + "/modules.symbols")) {
        if (line.starts_with('#')) continue;
        auto [sym, mod] = three(line);
        EXPECT_TRUE(out["modules.symbols.bin"].insert(sym, mod, idx.at(mod)));
    }
    out["modules.builtin.bin"];
    for (const auto& line : text_lines(dir + "/modules.builtin"))
        EXPECT_TRUE(out["modules.builtin.bin"].insert(module::path_to_modname(line), "", 0));
    out["modules.builtin.alias.bin"];
    auto raw = test::read_file(dir + "/modules.builtin.modinfo");
    std::string all(raw.begin(), raw.end());
    size_t pos = 0;
    while (pos < all.size()) {
        size_t end = all.find('\0', pos);
        if (end == std::string::npos) end = all.size();
        std::string rec = all.substr(pos, end - pos);
        pos = end + 1;
        auto dot = rec.find('.');
        if (rec.empty() || dot == std::string::npos) continue;
        std::string mod = rec.substr(0, dot), kv = rec.substr(dot + 1);
        auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        if (kv.substr(0, eq) == "alias" && eq + 1 < kv.size()) {
            EXPECT_TRUE(out["modules.builtin.alias.bin"].insert(
                *module::alias_normalize(kv.substr(eq + 1)), mod, 0));
        }
    }
    return out;
}

TEST(IndexCrossCheck, PreOrderBytesMatchTheReferenceWriter) {
    auto tries = build_reference_tries(k_data + "/input");
    ASSERT_EQ(tries.size(), 5u);
    for (const auto& [name, builder] : tries) {
        SCOPED_TRACE(name);
        auto expected = test::read_file(k_data + "/pre/" + name);
        std::string got = builder.serialize(Layout::PreOrder);
        EXPECT_EQ(got, std::string(expected.begin(), expected.end()));
    }
}

TEST(IndexCrossCheck, PostOrderBytesMatchTheReferenceWriter) {
    for (const auto& [name, builder] : build_reference_tries(k_data + "/input")) {
        SCOPED_TRACE(name);
        auto expected = test::read_file(k_data + "/post/" + name);
        EXPECT_EQ(builder.serialize(Layout::PostOrder),
                  std::string(expected.begin(), expected.end()));
    }
}

TEST(IndexCrossCheck, ReferenceFilesAnswerLookups) {
    for (const char* layout : {"pre", "post"}) {
        SCOPED_TRACE(layout);
        const std::string dir = k_data + "/" + layout;
        auto dep = IndexReader::open(dir + "/modules.dep.bin");
        ASSERT_TRUE(dep) << dep.error().describe();
        EXPECT_EQ(dep->path(), dir + "/modules.dep.bin");
        EXPECT_EQ(exact(*dep, "ext4"),
                  "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/jbd2/jbd2.ko "
                  "kernel/fs/mbcache.ko");
        EXPECT_EQ(exact(*dep, "snd_hda_intel"),
                  "kernel/sound/snd-hda-intel.ko.xz: kernel/sound/snd-hda-codec.ko.xz "
                  "kernel/sound/snd-timer.ko");
        EXPECT_EQ(exact(*dep, "my_driver"), "/opt/extra/my-driver.ko: kernel/sound/snd-timer.ko");
        EXPECT_EQ(exact(*dep, "snd-hda-intel"), std::nullopt);

        auto alias = IndexReader::open(dir + "/modules.alias.bin");
        ASSERT_TRUE(alias);
        using W = std::vector<std::pair<std::string, uint32_t>>;
        EXPECT_EQ(wild(*alias, "fs_ext4"), (W{{"ext4", 1}, {"my_driver", 10}}));
        EXPECT_EQ(exact(*alias, "fs_ext4"), "ext4");
        EXPECT_EQ(wild(*alias, "pci:v00008086d00002668sv00001028sd000001F3bc04sc03i00"),
                  (W{{"snd_hda_intel", 5}, {"snd_hda_intel", 5}}));
        EXPECT_EQ(wild(*alias, "usb:v0BC2p2320d0100dc00dsc00dp00ic08isc06ip50in00"),
                  (W{{"usb_storage", 8}, {"usb_storage", 8}, {"uas", 9}}));
        EXPECT_EQ(wild(*alias, "sym-test7"), (W{{"my_driver", 10}}));
        EXPECT_EQ(wild(*alias, "sym_test7"), (W{{"my_driver", 10}}));
        EXPECT_EQ(wild(*alias, "my_driver_x"), (W{{"my_driver", 10}}));
        EXPECT_EQ(wild(*alias, "snd_card_0"), (W{{"snd_hda_intel", 5}}));
        EXPECT_TRUE(wild(*alias, "nothing").empty());

        auto symbols = IndexReader::open(dir + "/modules.symbols.bin");
        ASSERT_TRUE(symbols);
        EXPECT_EQ(exact(*symbols, "symbol:snd_timer_open"), "snd_timer");

        auto builtin = IndexReader::open(dir + "/modules.builtin.bin");
        ASSERT_TRUE(builtin);
        EXPECT_EQ(exact(*builtin, "mem_driver"), "");
        EXPECT_EQ(exact(*builtin, "mem-driver"), std::nullopt);
        EXPECT_EQ(exact(*builtin, "vt"), "");

        auto balias = IndexReader::open(dir + "/modules.builtin.alias.bin");
        ASSERT_TRUE(balias);
        EXPECT_EQ(wild(*balias, "net_pf_1"), (W{{"unix", 0}, {"unix", 0}}));
        EXPECT_EQ(wild(*balias, "char_major_1_5"), (W{{"mem_driver", 0}}));
        EXPECT_EQ(wild(*balias, "crc32c_generic"), (W{{"crc32c_generic", 0}}));
    }
}

TEST(IndexCrossCheck, PreAndPostFilesDumpTheSame) {
    for (const char* name : {"modules.dep.bin", "modules.alias.bin", "modules.symbols.bin",
                             "modules.builtin.bin", "modules.builtin.alias.bin"}) {
        auto pre = IndexReader::open(k_data + "/pre/" + name);
        auto post = IndexReader::open(k_data + "/post/" + name);
        ASSERT_TRUE(pre && post) << name;
        EXPECT_EQ(dump_all(*pre), dump_all(*post)) << name;
        EXPECT_FALSE(dump_all(*pre).empty()) << name;
    }
}

// ---------------------------------------------------------------------------------------------
// Corrupt files.

void expect_corrupt(const util::Error& e, std::string_view message) {
    EXPECT_EQ(e.kind, util::ErrorKind::Corrupt);
    EXPECT_EQ(e.sys_errno, EINVAL);
    EXPECT_EQ(e.path, "test.bin");
    EXPECT_EQ(e.message, message);
}

TEST(IndexCorrupt, ShortFileIsEinvalAtOpen) {
    std::string good = IndexBuilder().serialize();
    for (size_t n = 0; n < k_header_size; ++n) {
        std::string cut = good.substr(0, n);
        auto r = IndexReader::from_bytes(as_bytes(cut), "test.bin");
        ASSERT_FALSE(r) << n;
        expect_corrupt(r.error(), "index file too short");
    }
}

TEST(IndexCorrupt, BadMagicIsEinvalAtOpen) {
    std::string bytes = be32(0xB007F458) + be32(k_version) + be32(12);
    auto r = IndexReader::from_bytes(as_bytes(bytes), "test.bin");
    ASSERT_FALSE(r);
    expect_corrupt(r.error(), "bad index magic");
}

TEST(IndexCorrupt, OnlyTheMajorVersionIsChecked) {
    std::string v3 = be32(k_magic) + be32(0x00030001) + be32(12);
    auto r = IndexReader::from_bytes(as_bytes(v3), "test.bin");
    ASSERT_FALSE(r);
    expect_corrupt(r.error(), "unsupported index version");
    std::string v1 = be32(k_magic) + be32(0x00010001) + be32(12);
    EXPECT_FALSE(IndexReader::from_bytes(as_bytes(v1), "test.bin"));
    std::string minor = be32(k_magic) + be32(0x0002FFFF) + be32(12);
    EXPECT_TRUE(IndexReader::from_bytes(as_bytes(minor), "test.bin"));
}

TEST(IndexCorrupt, OpenErrors) {
    test::TempDir dir;
    auto missing = IndexReader::open(dir.file("modules.dep.bin"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, util::ErrorKind::NotFound);
    EXPECT_EQ(missing.error().sys_errno, ENOENT);
    auto isdir = IndexReader::open(dir.path());
    ASSERT_FALSE(isdir);
    EXPECT_EQ(isdir.error().sys_errno, EISDIR);
    test::write_file(dir.file("short.bin"), std::string_view("\xB0\x07"));
    auto short_file = IndexReader::open(dir.file("short.bin"));
    ASSERT_FALSE(short_file);
    EXPECT_EQ(short_file.error().sys_errno, EINVAL);
    EXPECT_EQ(short_file.error().message, "index file too short");
    test::write_file(dir.file("empty.bin"), std::string_view());
    EXPECT_FALSE(IndexReader::open(dir.file("empty.bin")));
}

std::unique_ptr<Loaded> load_raw(std::string bytes) {
    auto l = std::unique_ptr<Loaded>(new Loaded{std::move(bytes), {}});
    auto r = IndexReader::from_bytes(as_bytes(l->bytes), "test.bin");
    if (r) l->reader = std::move(*r);
    return l;
}

TEST(IndexCorrupt, SelfReferencingChildIsAnErrorNotAHang) {
    // Root at 12: children '*'..'*' pointing back at the root.
    std::string bytes =
        k_header_prefix + be32(12 | k_flag_childs) + "**" + be32(12 | k_flag_childs);
    auto l = load_raw(bytes);
    auto w = l->reader.search_wild("anything");
    ASSERT_FALSE(w);
    expect_corrupt(w.error(), "corrupt index: trie too deep or cyclic");
    auto d = l->reader.dump([](std::string_view, std::string_view) {});
    ASSERT_FALSE(d);
    expect_corrupt(d.error(), "corrupt index: trie too deep or cyclic");
    // Exact lookups consume one key byte per edge, so they end by themselves.
    auto s = l->reader.search("*****");
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, std::nullopt);
}

TEST(IndexCorrupt, CycleThroughTwoNodesIsAnError) {
    // Root at 12 -> 'a' child at 18 -> 'b' child back at 12.
    std::string bytes = k_header_prefix + be32(12 | k_flag_childs) + "aa" +
                        be32(18 | k_flag_childs) + "bb" + be32(12 | k_flag_childs);
    auto l = load_raw(bytes);
    auto d = l->reader.dump([](std::string_view, std::string_view) {});
    ASSERT_FALSE(d);
    expect_corrupt(d.error(), "corrupt index: trie too deep or cyclic");
    EXPECT_TRUE(l->reader.search("ababab"));
    EXPECT_TRUE(l->reader.search_wild("ababab"));
}

TEST(IndexCorrupt, OutOfRangeOffsetsAreErrors) {
    struct Case {
        std::string bytes;
        const char* message;
    };
    const std::vector<Case> cases = {
        {k_header_prefix + be32(0x0FFFFFF0 | k_flag_prefix),
         "corrupt index: node prefix out of bounds"},
        {k_header_prefix + be32(12 | k_flag_prefix) + "abc",
         "corrupt index: node prefix out of bounds"},
        {k_header_prefix + be32(0x0FFFFFF0 | k_flag_childs),
         "corrupt index: child table out of bounds"},
        {k_header_prefix + be32(12 | k_flag_childs) + "a",
         "corrupt index: child table out of bounds"},
        {k_header_prefix + be32(12 | k_flag_childs) + "az" + be32(0),
         "corrupt index: child table out of bounds"},
        {k_header_prefix + be32(12 | k_flag_values) + std::string(2, '\0'),
         "corrupt index: value count out of bounds"},
        {k_header_prefix + be32(12 | k_flag_values) + be32(1000) + be32(0) + "x",
         "corrupt index: values out of bounds"},
        {k_header_prefix + be32(12 | k_flag_values) + be32(1) + be32(0) + "unterminated",
         "corrupt index: value out of bounds"},
        {k_header_prefix + be32(12 | k_flag_values) + be32(0xFFFFFFFF),
         "corrupt index: values out of bounds"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.message);
        auto l = load_raw(c.bytes);
        auto s = l->reader.search("");
        ASSERT_FALSE(s);
        expect_corrupt(s.error(), c.message);
        auto w = l->reader.search_wild("");
        ASSERT_FALSE(w);
        expect_corrupt(w.error(), c.message);
        auto d = l->reader.dump([](std::string_view, std::string_view) {});
        ASSERT_FALSE(d);
        expect_corrupt(d.error(), c.message);
    }
}

TEST(IndexCorrupt, ChildPointingOutsideTheFileIsAnError) {
    std::string bytes =
        k_header_prefix + be32(12 | k_flag_childs) + "aa" + be32(0x0FFFFFFF | k_flag_values);
    auto l = load_raw(bytes);
    auto s = l->reader.search("a");
    ASSERT_FALSE(s);
    expect_corrupt(s.error(), "corrupt index: value count out of bounds");
    EXPECT_FALSE(l->reader.search_wild("a"));
    EXPECT_FALSE(l->reader.dump([](std::string_view, std::string_view) {}));
    // A pointer with offset 0 means "no child", whatever its flags.
    std::string none = k_header_prefix + be32(12 | k_flag_childs) + "aa" + be32(k_flag_values);
    auto n = load_raw(none);
    EXPECT_EQ(exact(n->reader, "a"), std::nullopt);
    EXPECT_TRUE(dump_all(n->reader).empty());
}

// ---------------------------------------------------------------------------------------------
// Robustness: a real index cut at every length and with every byte flipped.

void exercise(std::span<const uint8_t> bytes) {
    auto r = IndexReader::from_bytes(bytes, "test.bin");
    if (!r) {
        EXPECT_EQ(r.error().sys_errno, EINVAL);
        return;
    }
    auto check = [](const util::Error& e) {
        EXPECT_EQ(e.kind, util::ErrorKind::Corrupt);
        EXPECT_EQ(e.sys_errno, EINVAL);
        EXPECT_TRUE(e.message.starts_with("corrupt index: ")) << e.message;
    };
    for (const char* key : {"fs_ext4", "ext4", "pci:v00008086d00002668sv0sd0bc04sc03i00",
                            "usb:v0BC2p2320d0100dc00dsc00dp00ic08isc06ip50in00", "sym_test1", ""}) {
        if (auto s = r->search(key); !s) check(s.error());
        if (auto w = r->search_wild(key); !w) check(w.error());
    }
    size_t n = 0;
    if (auto d = r->dump([&](std::string_view, std::string_view) { ++n; }); !d) check(d.error());
}

TEST(IndexRobustness, TruncateAtEveryLength) {
    for (const char* layout : {"pre", "post"}) {
        auto full = test::read_file(k_data + "/" + layout + "/modules.alias.bin");
        for (size_t len = 0; len <= full.size(); ++len)
            exercise(std::span(full).first(len));
    }
}

TEST(IndexRobustness, FlipEveryByte) {
    for (const char* layout : {"pre", "post"}) {
        auto bytes = test::read_file(k_data + "/" + layout + "/modules.alias.bin");
        for (size_t off = 0; off < bytes.size(); ++off) {
            for (uint8_t x : {uint8_t{0xFF}, uint8_t{0x01}, uint8_t{0x80}, uint8_t{0x40},
                              uint8_t{0x20}, uint8_t{0x0C}}) {
                bytes[off] ^= x;
                exercise(bytes);
                bytes[off] ^= x;
            }
        }
    }
}

} // namespace
} // namespace modkit::index
