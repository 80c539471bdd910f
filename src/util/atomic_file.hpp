// Atomic file replacement: write to a temporary file in the destination directory, then
// rename it over the target. Until commit() the target is untouched; a destroyed,
// uncommitted AtomicFile removes its temporary file.
#pragma once

#include "util/error.hpp"

#include <string>
#include <string_view>
#include <sys/types.h>

namespace modkit::util {

class AtomicFile {
public:
    AtomicFile() = default;
    AtomicFile(AtomicFile&& other) noexcept { *this = std::move(other); }
    AtomicFile& operator=(AtomicFile&& other) noexcept;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();

    // Creates "<dir>/.<name>.XXXXXX" with `mode` (umask does not apply).
    static Expected<AtomicFile> create(const std::string& target, mode_t mode = 0644);

    Expected<void> write(std::string_view data);
    // Flushes buffered data and (with Sync::Yes) fsyncs, but does not rename yet: the first
    // phase of a commit. Without a sync here, the caller makes the data durable some other
    // way (one syncfs for many files) or does not need it to be (a cache).
    enum class Sync { Yes, No };
    Expected<void> finish(Sync sync = Sync::Yes);
    // Renames the temporary file over the target; calls finish() if needed.
    Expected<void> commit();
    // Removes the temporary file without touching the target.
    void discard();

    const std::string& target() const { return m_target; }
    const std::string& temp_path() const { return m_temp; }

private:
    Expected<void> flush();

    int m_fd = -1;
    bool m_finished = false;
    std::string m_target;
    std::string m_temp;
    std::string m_buffer;
};

// Writes a whole file atomically (durably unless sync is No).
Expected<void> write_file_atomic(const std::string& target, std::string_view data,
                                 mode_t mode = 0644, AtomicFile::Sync sync = AtomicFile::Sync::Yes);
// Appends to an existing file (no sync). Fails with ENOENT if it does not exist.
Expected<void> append_file(const std::string& path, std::string_view data);

} // namespace modkit::util
