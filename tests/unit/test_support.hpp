// Helpers shared by the unit tests: temporary directories, byte conversions, and a text
// summary of everything a ModuleFile reports (so different ways of opening the same module can
// be compared with one EXPECT_EQ, and robustness loops can run every query).
#pragma once

#include "module/module_file.hpp"
#include "util/buffer.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::test {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return m_path; }
    std::string file(std::string_view name) const { return m_path + "/" + std::string(name); }

private:
    std::string m_path;
};

void write_file(const std::string& path, std::span<const uint8_t> bytes);
void write_file(const std::string& path, std::string_view text);
std::vector<uint8_t> read_file(const std::string& path);

inline std::vector<uint8_t> to_bytes(std::string_view s) {
    return {s.begin(), s.end()};
}
inline util::Buffer to_buffer(std::span<const uint8_t> bytes) {
    return util::Buffer(bytes);
}

// Every query of `mod`, one per line: modinfo, vermagic, exports, imports, versions,
// this_module_name and signature; errors print as "<query>: error <errno> <message>".
std::string summarize(const module::ModuleFile& mod);

// Opens `bytes` with ModuleFile::from_memory and summarises it ("open: error ..." on failure).
std::string summarize_bytes(std::span<const uint8_t> bytes);

} // namespace modkit::test
