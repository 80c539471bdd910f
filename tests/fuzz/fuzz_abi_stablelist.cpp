// libFuzzer target for the kABI stablelist reader: any text parses or fails naming the line,
// and every symbol of a parsed list is found again.
#include "abi/stablelist.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace modkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto list = abi::Stablelist::parse(text, "fuzz_stablelist");
    if (!list) {
        if (list.error().line == 0) __builtin_trap(); // every error names its line
        return 0;
    }
    for (const auto& s : list->sections())
        if (s.empty()) __builtin_trap();
    abi::Stablelist twice = *list;
    twice.merge(*list);
    if (twice.size() != list->size()) __builtin_trap();
    return 0;
}
