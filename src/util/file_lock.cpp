// FileLock::acquire: open (or create) the path, then flock it, waiting if asked to.
#include "util/file_lock.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

namespace modkit::util {

Expected<FileLock> FileLock::acquire(const std::string& path, Wait wait,
                                     const std::function<void()>& on_wait) {
    struct stat st {};
    const bool dir = ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    UniqueFd fd(dir ? ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                    : ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd.valid())
        return fail_errno(errno, path, dir ? "could not open directory" : "cannot open lock file");
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return FileLock(std::move(fd));
    const char* failed = dir ? "could not lock directory" : "cannot lock";
    if (errno != EWOULDBLOCK) return fail_errno(errno, path, failed);
    if (wait == Wait::NoWait) return fail_errno(errno, path, "locked");
    if (on_wait) on_wait();
    while (::flock(fd.get(), LOCK_EX) != 0)
        if (errno != EINTR) return fail_errno(errno, path, failed);
    return FileLock(std::move(fd));
}

} // namespace modkit::util
