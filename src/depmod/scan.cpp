// scan_tree(): the directory walk.
#include "depmod/scan.hpp"

#include "module/module_file.hpp"
#include "module/names.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

namespace modkit::depmod {

namespace {

using config::Diagnostic;
using util::LogLevel;

class Walker {
public:
    Walker(const std::string& dirname, const config::DepmodConfig& config, ScanResult& out)
        : m_dirname(dirname), m_config(config), m_out(out) {}

    // Walks one top-level directory; false if it cannot be opened.
    bool walk_root(const std::string& dir, bool missing_is_error) {
        int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            // Reported even for a missing external directory, which kmod then skips.
            int err = errno;
            error("could not open directory " + dir + ": " + std::strerror(err));
            return err == ENOENT && !missing_is_error;
        }
        std::string path = dir + "/";
        walk(fd, path);
        return true;
    }

    void add_found() {
        for (auto& [name, index] : m_by_name) m_out.modules.push_back(std::move(m_found[index]));
    }

private:
    void error(std::string msg) {
        m_out.messages.push_back(Diagnostic{LogLevel::Error, {}, 0, std::move(msg)});
    }

    // `path` ends with '/'; takes ownership of dfd.
    void walk(int dfd, std::string& path) {
        struct stat dir_st;
        if (fstat(dfd, &dir_st) == 0) {
            // A directory reached twice through symlinks would loop forever.
            auto key = std::make_pair(dir_st.st_dev, dir_st.st_ino);
            if (!m_active.insert(key).second) {
                error("directory loop at " + path + ", skipped");
                ::close(dfd);
                return;
            }
        }
        DIR* d = fdopendir(dfd);
        if (d == nullptr) {
            error("fdopendir(" + path + "): " + std::strerror(errno));
            ::close(dfd);
            return;
        }
        const size_t base = path.size();
        while (dirent* de = readdir(d)) {
            const char* name = de->d_name;
            if (m_config.is_excluded(name)) continue;
            path.resize(base);
            path += name;
            bool is_dir;
            if (de->d_type == DT_REG) {
                is_dir = false;
            } else if (de->d_type == DT_DIR) {
                is_dir = true;
            } else {
                struct stat st;
                if (fstatat(dirfd(d), name, &st, 0) < 0) {
                    error("fstatat(" + path + "): " + std::strerror(errno));
                    continue;
                }
                if (S_ISREG(st.st_mode)) {
                    is_dir = false;
                } else if (S_ISDIR(st.st_mode)) {
                    is_dir = true;
                } else {
                    char mode[16];
                    std::snprintf(mode, sizeof mode, "%o", st.st_mode & S_IFMT);
                    error("unsupported file type " + path + ": " + mode);
                    continue;
                }
            }
            if (is_dir) {
                int fd = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0) {
                    error("openat(" + path + ", O_RDONLY): " + std::strerror(errno));
                    continue;
                }
                path += '/';
                walk(fd, path);
            } else {
                consider_file(path, name);
            }
        }
        path.resize(base);
        if (fstat(dirfd(d), &dir_st) == 0) m_active.erase({dir_st.st_dev, dir_st.st_ino});
        closedir(d);
    }

    void consider_file(const std::string& path, std::string_view name) {
        bool ext = false;
        for (std::string_view e : {".ko", ".ko.gz", ".ko.xz", ".ko.zst"})
            if (name.size() > e.size() && name.ends_with(e)) ext = true;
        if (!ext) return;
        std::string modname = module::modname_normalize(name);
        auto it = m_by_name.find(modname);
        if (it != m_by_name.end()) {
            Candidate& existing = m_found[it->second];
            if (m_config.keeps_existing(m_dirname, existing.path, path)) return;
            existing = make_candidate(path, std::move(modname));
            return;
        }
        m_by_name.emplace(modname, m_found.size());
        m_found.push_back(make_candidate(path, std::move(modname)));
    }

    Candidate make_candidate(const std::string& path, std::string name) {
        Candidate c;
        c.path = path;
        c.relpath = relative_to(m_dirname, path);
        c.name = std::move(name);
        return c;
    }

    const std::string& m_dirname;
    const config::DepmodConfig& m_config;
    ScanResult& m_out;
    std::vector<Candidate> m_found;
    std::unordered_map<std::string, size_t> m_by_name;
    std::set<std::pair<dev_t, ino_t>> m_active; // directories on the current walk stack
};

} // namespace

std::string relative_to(const std::string& dirname, const std::string& path) {
    if (path.size() > dirname.size() && path.compare(0, dirname.size(), dirname) == 0 &&
        path[dirname.size()] == '/')
        return path.substr(dirname.size() + 1);
    return {};
}

bool stat_candidate(Candidate& c) {
    struct stat st;
    if (::stat(c.path.c_str(), &st) < 0) return false;
    c.size = static_cast<uint64_t>(st.st_size);
    c.inode = st.st_ino;
    c.device = st.st_dev;
    c.mtime_sec = st.st_mtim.tv_sec;
    c.mtime_nsec = st.st_mtim.tv_nsec;
    return true;
}

ScanResult scan_tree(const std::string& dirname, const config::DepmodConfig& config) {
    ScanResult out;
    Walker walker(dirname, config, out);
    if (!walker.walk_root(dirname, true)) {
        out.failed = true;
        return out;
    }
    // External directories: a missing one is reported and skipped.
    for (const std::string& ext : config.external_dirs()) walker.walk_root(ext, false);
    walker.add_found();
    return out;
}

} // namespace modkit::depmod
