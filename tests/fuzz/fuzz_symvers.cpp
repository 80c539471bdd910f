// libFuzzer target for the Module.symvers reader and the export table built from it: any text
// parses or fails with a message naming the file and line; every entry's fields are views into
// the text (read in full, so ASan catches one that is not), and lookups find what was parsed.
#include "abi/export_table.hpp"
#include "abi/symvers.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace modkit;

namespace {
volatile size_t g_sink;
void touch(std::string_view s) {
    size_t h = s.size();
    for (char c : s)
        h = h * 31 + static_cast<unsigned char>(c);
    g_sink = g_sink + h;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto symvers = abi::Symvers::from_text(std::move(text), "fuzz.symvers");
    if (!symvers) {
        if (symvers.error().path != "fuzz.symvers") __builtin_trap();
        touch(symvers.error().describe());
        return 0;
    }
    for (const auto& e : symvers->entries()) {
        touch(e.symbol);
        touch(e.module);
        touch(e.export_type);
        touch(e.name_space);
        if (symvers->find(e.symbol) == nullptr) __builtin_trap();
    }
    for (bool mv : {true, false}) {
        abi::ExportTable table = abi::ExportTable::from_symvers(*symvers, mv);
        for (const auto& s : table.symbols())
            if (table.find(s.name) == nullptr) __builtin_trap();
    }
    return 0;
}
