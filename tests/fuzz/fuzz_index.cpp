// libFuzzer target for the kmod index. The first byte picks a mode:
//   even: the rest is "<key length byte><key><index bytes>"; IndexReader::from_bytes on the index
//         bytes, then search, search_wild and dump with the key (corrupt input must give an
//         Error, never a crash or a hang);
//   odd:  the rest is lines "key<TAB>value<TAB>priority"; they are inserted into an
//         IndexBuilder and both layouts must read back with the same answers.
#include "index/reader.hpp"
#include "index/writer.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

using namespace modkit;

namespace {

volatile size_t g_sink;

void touch(std::string_view s) {
    size_t h = s.size();
    for (char c : s)
        h = h * 31 + static_cast<unsigned char>(c);
    g_sink = g_sink + h;
}

void read_raw(std::span<const uint8_t> in) {
    if (in.empty()) return;
    size_t key_len = std::min<size_t>(in[0], in.size() - 1);
    std::string key(reinterpret_cast<const char*>(in.data() + 1), key_len);
    auto bytes = in.subspan(1 + key_len);
    auto reader = index::IndexReader::from_bytes(bytes, "fuzz.bin");
    if (!reader) return;
    if (auto v = reader->search(key); v && *v) touch(**v);
    if (auto w = reader->search_wild(key)) {
        for (const auto& v : *w)
            touch(v.value);
    }
    (void)reader->dump([](std::string_view k, std::string_view v) {
        touch(k);
        touch(v);
    });
}

std::vector<std::pair<std::string, std::string>> dump(const index::IndexReader& r) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!r.dump([&](std::string_view k, std::string_view v) { out.emplace_back(k, v); }))
        __builtin_trap();
    return out;
}

void round_trip(std::string_view text) {
    index::IndexBuilder builder;
    std::map<std::string, std::pair<uint32_t, std::string>> first; // key -> (prio, value)
    size_t pos = 0, lines = 0;
    while (pos < text.size() && lines++ < 256) { // keeps one run fast; the trie is what matters
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        size_t t1 = line.find('\t');
        size_t t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
        if (t2 == std::string_view::npos) continue;
        std::string key(line.substr(0, t1));
        std::string value(line.substr(t1 + 1, t2 - t1 - 1));
        uint32_t prio = 0;
        for (char c : line.substr(t2 + 1))
            prio = prio * 10 + static_cast<uint8_t>(c) % 10;
        if (!builder.insert(key, value, prio)) continue;
        auto it = first.find(key);
        if (it == first.end() || prio <= it->second.first) first[key] = {prio, value};
    }
    const std::string pre = builder.serialize(index::Layout::PreOrder);
    const std::string post = builder.serialize(index::Layout::PostOrder);
    auto span_of = [](const std::string& s) {
        return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    };
    auto rpre = index::IndexReader::from_bytes(span_of(pre), "pre.bin");
    auto rpost = index::IndexReader::from_bytes(span_of(post), "post.bin");
    if (!rpre || !rpost) __builtin_trap();
    size_t wild_left = 32; // search_wild walks whole wildcard subtrees: sample a few keys
    for (const auto& [key, want] : first) {
        auto a = rpre->search(key);
        auto b = rpost->search(key);
        if (!a || !b || !*a || !*b || **a != want.second || **b != want.second) __builtin_trap();
        if (wild_left == 0) continue;
        --wild_left;
        auto wa = rpre->search_wild(key);
        auto wb = rpost->search_wild(key);
        if (!wa || !wb || wa->size() != wb->size()) __builtin_trap();
        // A key without wildcards matches itself (a pattern key may not: "[x]" matches "x").
        if (key.find_first_of("*?[") == std::string::npos && wa->empty()) __builtin_trap();
    }
    if (dump(*rpre) != dump(*rpost)) __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    auto rest = std::span(data + 1, size - 1);
    if (data[0] % 2 == 0)
        read_raw(rest);
    else
        round_trip({reinterpret_cast<const char*>(rest.data()), rest.size()});
    return 0;
}
