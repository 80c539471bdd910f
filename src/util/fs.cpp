// The file-system predicates and helpers of util/fs.hpp.
#include "util/fs.hpp"

#include <cerrno>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::util {

bool path_exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

bool target_exists(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular_file(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string absolute_path(const std::string& path) {
    if (!path.empty() && path[0] == '/') return path;
    char* cwd = ::get_current_dir_name();
    if (cwd == nullptr) return path;
    std::string out = std::string(cwd) + "/" + path;
    std::free(cwd);
    return out;
}

Expected<void> make_directories(const std::string& path, mode_t mode) {
    std::string cur;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t next = path.find('/', pos);
        if (next == std::string::npos) next = path.size();
        cur = path.substr(0, next);
        if (!cur.empty() && ::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST)
            return fail_errno(errno, cur, "could not create directory");
        pos = next + 1;
    }
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return fail_errno(errno, path, "could not stat");
    if (!S_ISDIR(st.st_mode)) return fail_errno(ENOTDIR, path, "not a directory");
    return {};
}

} // namespace modkit::util
