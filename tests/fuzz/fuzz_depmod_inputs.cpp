// libFuzzer target for depmod's readers of the three text inputs it does not write itself:
// modules.order, modules.builtin and modules.builtin.modinfo. The input is split at "\xff\xff"
// into those three parts (a missing part means a missing file); a dependency graph over a fixed
// set of synthetic modules is ordered by the first, and every output is rendered with the other
// two. Every .bin output must read back as an index, and modules.dep must hold one line per
// module.
#include "depmod/graph.hpp"
#include "depmod/outputs.hpp"
#include "index/reader.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace modkit;

namespace {

volatile size_t g_sink;

constexpr std::string_view k_separator = "\xff\xff";
const std::string k_dirname = "/lib/modules/6.1.0-fuzz";

struct Synthetic {
    std::vector<depmod::Candidate> files;
    std::vector<depmod::ModuleRecord> records;
};

depmod::Candidate candidate(std::string relpath, std::string name) {
    depmod::Candidate c;
    c.path = relpath.starts_with('/') ? relpath : k_dirname + "/" + relpath;
    c.relpath = relpath.starts_with('/') ? std::string() : relpath;
    c.name = std::move(name);
    return c;
}

// Five modules: a chain of symbol dependencies (ext4 -> jbd2 -> crc16), aliases, softdeps and
// weakdeps, a compressed file, one outside the module directory and one that failed to load.
const Synthetic& synthetic() {
    static const Synthetic s = [] {
        Synthetic out;
        out.files.push_back(candidate("kernel/lib/crc16.ko", "crc16"));
        out.files.push_back(candidate("kernel/fs/jbd2/jbd2.ko.xz", "jbd2"));
        out.files.push_back(candidate("kernel/fs/ext4/ext4.ko", "ext4"));
        out.files.push_back(candidate("kernel/sound/snd-foo.ko.zst", "snd_foo"));
        out.files.push_back(candidate("/opt/extra/outside.ko", "outside"));
        out.files.push_back(candidate("kernel/broken.ko", "broken"));
        out.records.resize(out.files.size());
        auto& crc16 = out.records[0];
        crc16.exports = {{"crc16", 0x1234, false}, {"crc16_table", 0x99, false}};
        auto& jbd2 = out.records[1];
        jbd2.exports = {{"jbd2_journal_start", 0x1, false}};
        jbd2.imports = {{"crc16", 0x1234, false}};
        auto& ext4 = out.records[2];
        ext4.imports = {{"jbd2_journal_start", 0x1, false},
                        {"crc16_table", 0x99, false},
                        {"printk", 0x5, false},
                        {"maybe_missing", 0, true}};
        ext4.aliases = {"fs-ext4", "fs-ext3", "devname:ext4ctl", "char-major-10-99"};
        ext4.softdeps = {"pre: crc32c"};
        ext4.weakdeps = {"crc16"};
        auto& snd = out.records[3];
        snd.aliases = {"pci:v00001234d*sv*", "snd-[ab]-card"};
        snd.exports = {{"snd_foo_register", 0x42, false}};
        auto& outside = out.records[4];
        outside.imports = {{"snd_foo_register", 0x42, false}};
        outside.aliases = {"outside-alias"};
        out.records[5].load_error = "could not load kernel/broken.ko";
        return out;
    }();
    return s;
}

// The three parts; a part after the last separator present is nullopt (a missing file).
std::vector<std::optional<std::string>> split(std::string_view data) {
    std::vector<std::optional<std::string>> parts(3);
    for (size_t i = 0; i < parts.size(); ++i) {
        size_t at = data.find(k_separator);
        parts[i] = std::string(data.substr(0, at));
        if (at == std::string_view::npos) break;
        data.remove_prefix(at + k_separator.size());
    }
    return parts;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    std::string_view data(reinterpret_cast<const char*>(bytes), size);
    auto parts = split(data);

    const Synthetic& s = synthetic();
    std::vector<const depmod::Candidate*> files;
    std::vector<const depmod::ModuleRecord*> records;
    for (size_t i = 0; i < s.files.size(); ++i) {
        files.push_back(&s.files[i]);
        records.push_back(&s.records[i]);
    }
    depmod::DepGraph graph(files, records, parts[0], k_dirname);
    depmod::GraphOptions opt;
    if (!graph.resolve(opt)) __builtin_trap(); // the synthetic graph has no cycle

    // Every module keeps exactly one position.
    std::vector<bool> seen(graph.modules().size(), false);
    for (const auto& m : graph.modules()) {
        if (m.idx >= seen.size() || seen[m.idx]) __builtin_trap();
        seen[m.idx] = true;
    }

    depmod::BuiltinInputs builtin{parts[1], parts[2], k_dirname};
    depmod::RenderResult r = depmod::render_outputs(graph, builtin, (size & 1) != 0);
    for (const auto& m : r.messages)
        g_sink = g_sink + m.message.size();
    if (r.fatal) return 0; // a non-ASCII key or value: nothing would be written
    for (const auto& f : r.files) {
        g_sink = g_sink + f.content.size();
        if (f.name == "modules.dep") {
            size_t lines = 0;
            for (char c : f.content)
                lines += c == '\n';
            if (lines != s.files.size()) __builtin_trap();
        }
        if (!f.binary || f.content.empty()) continue;
        auto reader = index::IndexReader::from_bytes(
            std::span(reinterpret_cast<const uint8_t*>(f.content.data()), f.content.size()),
            f.name);
        if (!reader) __builtin_trap();
        auto dumped = reader->dump(
            [](std::string_view k, std::string_view v) { g_sink = g_sink + k.size() + v.size(); });
        if (!dumped) __builtin_trap();
    }
    return 0;
}
