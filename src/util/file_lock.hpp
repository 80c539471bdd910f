// An exclusive flock(2) held for the lifetime of an object: on a directory itself (nothing is
// left behind) or on a lock file that is created if missing. depmod serialises publishing into
// a module directory with it, DKMS its tree.
#pragma once

#include "util/error.hpp"
#include "util/unique_fd.hpp"

#include <functional>
#include <string>

namespace modkit::util {

class FileLock {
public:
    enum class Wait { Block, NoWait };

    // Locks `path`: a directory is opened as it is; anything else is opened as a lock file,
    // created with mode 0644 if it does not exist (its directory must exist). With
    // Wait::Block, `on_wait` runs once when someone else holds the lock, before waiting; with
    // Wait::NoWait a held lock fails with EWOULDBLOCK.
    static Expected<FileLock> acquire(const std::string& path, Wait wait = Wait::Block,
                                      const std::function<void()>& on_wait = {});

private:
    explicit FileLock(UniqueFd fd)
        : m_fd(std::move(fd)) {}
    UniqueFd m_fd; // closing it releases the lock
};

} // namespace modkit::util
