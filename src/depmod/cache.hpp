// The incremental cache: one ModuleRecord per module file, keyed by the file's path and
// identity (size, inode, device, nanosecond mtime). A re-run reads only modules whose identity
// changed. The file (modules.modkit.cache in the output directory; kmod ignores it, and
// Debian's "rm modules.*" on kernel removal takes it away) is a header naming the module
// directory, then segments: a full run writes one segment with every module; a run that read
// only a few modules appends a small segment with just those (a later entry for a path wins),
// and the file is compacted when stale entries pile up. Every part carries a checksum; a
// truncated, corrupt or foreign cache is ignored, never trusted. It is a cache, so it is not
// fsynced: losing it costs one full run.
//
//   file    := header segment*
//   header  := magic "MODKITDC" u32 version u32 0 string dirname u64 checksum(header)
//   segment := "SEGM" u32 count entry* u64 checksum(segment)
//   entry   := string path u64 size u64 inode u64 device i64 mtime_sec i64 mtime_nsec record
//   record  := string load_error string load_detail list(sym exports) list(imp imports)
//              list(string aliases) list(string softdeps) list(string weakdeps)
//   sym     := string name u64 crc      imp := sym u8 weak
//   string  := u32 length bytes         list(x) := u32 count x*
// (all integers little-endian)
#pragma once

#include "depmod/module_record.hpp"
#include "depmod/scan.hpp"
#include "util/error.hpp"
#include "util/mapped_file.hpp"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace modkit::depmod {

inline constexpr const char* k_cache_name = "modules.modkit.cache";
inline constexpr uint32_t k_cache_version = 3;

class RecordCache {
public:
    // Loads `path`. A missing file gives an empty cache silently; an unusable one gives an
    // empty cache and `why` says why (for the notice the CLI prints).
    static RecordCache load(const std::string& path, const std::string& dirname, std::string& why);

    // The cached record for a file, if its identity is unchanged.
    const ModuleRecord* find(const Candidate& c) const;

    // A whole cache file: header plus one segment with the records of `files` (parallel
    // arrays).
    static std::string serialize(const std::string& dirname,
                                 const std::vector<const Candidate*>& files,
                                 const std::vector<const ModuleRecord*>& records);
    // One segment, to append to an existing cache file.
    static std::string serialize_segment(const std::vector<const Candidate*>& files,
                                         const std::vector<const ModuleRecord*>& records);
    // Entries in the file (including entries later ones replaced).
    size_t stored_entries() const { return m_stored; }
    size_t size() const { return m_entries.size(); }

    RecordCache() = default;
    RecordCache(RecordCache&&) = default;
    RecordCache& operator=(RecordCache&&) = default;

private:
    struct Entry {
        Candidate identity;
        ModuleRecord record;
    };
    // The file, mapped (depmod's directory lock keeps other modkit runs from rewriting it
    // meanwhile; a rewrite replaces the file by rename, which leaves this mapping intact).
    // Cached records' strings point into it.
    util::MappedFile m_data;
    size_t m_stored = 0;
    std::unordered_map<std::string_view, Entry> m_entries; // by path
};

} // namespace modkit::depmod
