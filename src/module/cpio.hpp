// An initramfs: one or more cpio "newc" archives back to back, each optionally compressed (the
// kernel's own format, init/initramfs.c). Debian's initramfs-tools writes an uncompressed early
// archive (CPU microcode) followed by a zstd- or gzip-compressed main one; dracut does the same.
// `preflight` lists what an initramfs holds to tell whether the modules the root file system
// needs are in it.
//
//   archive = *( entry ) trailer
//   entry   = header(110 bytes: "070701" or "070702", then 13 fields of 8 hex digits: ino mode
//             uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize
//             check) name(namesize bytes, NUL-terminated) pad-to-4 data(filesize) pad-to-4
//   trailer = an entry named "TRAILER!!!"
// Between archives: NUL padding. A compressed archive is recognised by its magic (gzip, xz,
// zstd); lz4, lzo and bzip2 initramfs images are reported as Unsupported.
#pragma once

#include "util/error.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace modkit::module {

struct CpioEntry {
    std::string name; // as stored, without a leading "./" or "/"
    uint32_t mode = 0;
    uint64_t size = 0;
};

// Every entry of every archive in `data`, in order. Corrupt (naming `path`) for a truncated
// header or data, a bad magic where an archive should start, or a name that is not terminated.
util::Expected<std::vector<CpioEntry>> list_initramfs(std::span<const uint8_t> data,
                                                      const std::string& path);

// Reads the file and lists it.
util::Expected<std::vector<CpioEntry>> list_initramfs_file(const std::string& path);

} // namespace modkit::module
