// copy_file_range with a read/write fallback; directories walked with openat-free paths
// (trees here are small: a module's source).
#include "util/copy_tree.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace modkit::util {

namespace {

void apply_metadata(int fd, const struct stat& st, Preserve preserve) {
    fchmod(fd, st.st_mode & 07777);
    if (preserve == Preserve::All) {
        if (geteuid() == 0) (void)!fchown(fd, st.st_uid, st.st_gid);
        struct timespec times[2] = {st.st_atim, st.st_mtim};
        futimens(fd, times);
    }
}

Expected<void> copy_data(int in, int out, off_t size, const std::string& from) {
    off_t left = size;
    while (left > 0) {
        ssize_t n = copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
        if (n > 0) {
            left -= n;
            continue;
        }
        if (n == 0) break;
        if (errno == EINTR) continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
            return fail_errno(errno, from, "cannot copy");
        // Fallback for file systems without copy_file_range.
        std::vector<char> buf(1 << 16);
        for (;;) {
            ssize_t r = read(in, buf.data(), buf.size());
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) return fail_errno(errno, from, "cannot read");
            if (r == 0) return {};
            for (ssize_t done = 0; done < r;) {
                ssize_t w = write(out, buf.data() + done, static_cast<size_t>(r - done));
                if (w < 0 && errno == EINTR) continue;
                if (w < 0) return fail_errno(errno, from, "cannot write");
                done += w;
            }
        }
    }
    return {};
}

Expected<void> copy_entry(const std::string& from, const std::string& to, Preserve preserve);

Expected<void> copy_dir(const std::string& from, const std::string& to, const struct stat& st,
                        Preserve preserve) {
    if (mkdir(to.c_str(), 0700) != 0 && errno != EEXIST)
        return fail_errno(errno, to, "cannot create directory");
    DIR* d = opendir(from.c_str());
    if (d == nullptr) return fail_errno(errno, from, "cannot open directory");
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
    for (const auto& n : names)
        if (auto r = copy_entry(from + "/" + n, to + "/" + n, preserve); !r) return r;
    int fd = open(to.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        apply_metadata(fd, st, preserve);
        close(fd);
    }
    return {};
}

Expected<void> copy_entry(const std::string& from, const std::string& to, Preserve preserve) {
    struct stat st;
    if (lstat(from.c_str(), &st) != 0) return fail_errno(errno, from, "cannot stat");
    if (S_ISDIR(st.st_mode)) return copy_dir(from, to, st, preserve);
    if (S_ISLNK(st.st_mode)) {
        std::vector<char> target(static_cast<size_t>(st.st_size) + 1);
        ssize_t n = readlink(from.c_str(), target.data(), target.size());
        if (n < 0) return fail_errno(errno, from, "cannot read link");
        unlink(to.c_str());
        if (symlink(std::string(target.data(), static_cast<size_t>(n)).c_str(), to.c_str()) != 0)
            return fail_errno(errno, to, "cannot create symlink");
        return {};
    }
    if (S_ISREG(st.st_mode)) return copy_file(from, to, preserve);
    return {}; // devices, fifos, sockets: not part of a module source
}

} // namespace

Expected<void> copy_file(const std::string& from, const std::string& to, Preserve preserve) {
    int in = open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return fail_errno(errno, from, "cannot open");
    struct stat st;
    if (fstat(in, &st) != 0) {
        int err = errno;
        close(in);
        return fail_errno(err, from, "cannot stat");
    }
    unlink(to.c_str());
    int out = open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        int err = errno;
        close(in);
        return fail_errno(err, to, "cannot create");
    }
    auto r = copy_data(in, out, st.st_size, from);
    if (r) apply_metadata(out, st, preserve);
    close(in);
    if (close(out) != 0 && r) return fail_errno(errno, to, "cannot write");
    return r;
}

Expected<void> copy_tree_contents(const std::string& from, const std::string& to,
                                  Preserve preserve) {
    struct stat st;
    if (stat(from.c_str(), &st) != 0) return fail_errno(errno, from, "cannot stat");
    if (!S_ISDIR(st.st_mode)) return fail(ErrorKind::Invalid, ENOTDIR, from, "not a directory");
    return copy_dir(from, to, st, preserve);
}

Expected<void> remove_tree(const std::string& path) {
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return {};
        return fail_errno(errno, path, "cannot stat");
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path.c_str()) != 0 && errno != ENOENT)
            return fail_errno(errno, path, "cannot remove");
        return {};
    }
    DIR* d = opendir(path.c_str());
    if (d == nullptr) return fail_errno(errno, path, "cannot open directory");
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
    for (const auto& n : names)
        if (auto r = remove_tree(path + "/" + n); !r) return r;
    if (rmdir(path.c_str()) != 0 && errno != ENOENT)
        return fail_errno(errno, path, "cannot remove");
    return {};
}

} // namespace modkit::util
