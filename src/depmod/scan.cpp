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
#include <sys/syscall.h>
#include <unistd.h>
#include <unordered_map>

namespace modkit::depmod {

namespace {

using config::Diagnostic;
using util::LogLevel;

// A record of the getdents64 system call (glibc declares no type for it).
struct LinuxDirent64 {
    ino64_t d_ino;
    off64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

class Walker {
public:
    Walker(const std::string& dirname, const config::DepmodConfig& config, bool with_identity,
           ScanResult& out)
        : m_dirname(dirname)
        , m_config(config)
        , m_with_identity(with_identity)
        , m_out(out) {}

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
        for (auto& [name, index] : m_by_name)
            m_out.modules.push_back(std::move(m_found[index]));
    }

private:
    void error(std::string msg) {
        m_out.messages.push_back(Diagnostic{LogLevel::Error, {}, 0, std::move(msg)});
    }

    // `path` ends with '/'; takes ownership of dfd. Entries are read with getdents64 directly
    // (the order readdir() gives): opendir/readdir cost three more system calls per
    // directory, which is a good part of a warm incremental run.
    void walk(int dfd, std::string& path) {
        struct stat dir_st;
        std::pair<dev_t, ino_t> key{0, 0};
        if (fstat(dfd, &dir_st) == 0) {
            // A directory reached twice through symlinks would loop forever.
            key = {dir_st.st_dev, dir_st.st_ino};
            if (!m_active.insert(key).second) {
                error("directory loop at " + path + ", skipped");
                ::close(dfd);
                return;
            }
        }
        const size_t base = path.size();
        alignas(8) char buf[32768];
        for (;;) {
            long n = syscall(SYS_getdents64, dfd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) error("getdents(" + path + "): " + std::strerror(errno));
            if (n <= 0) break;
            for (long off = 0; off < n;) {
                const auto* de = reinterpret_cast<const LinuxDirent64*>(buf + off);
                off += de->d_reclen;
                entry(dfd, path, base, de->d_name, de->d_type);
            }
        }
        path.resize(base);
        m_active.erase(key);
        ::close(dfd);
    }

    void entry(int dfd, std::string& path, size_t base, const char* name, unsigned char type) {
        if (m_config.is_excluded(name)) return;
        path.resize(base);
        path += name;
        bool is_dir;
        if (type == DT_REG) {
            is_dir = false;
        } else if (type == DT_DIR) {
            is_dir = true;
        } else {
            struct stat st;
            if (fstatat(dfd, name, &st, 0) < 0) {
                error("fstatat(" + path + "): " + std::strerror(errno));
                return;
            }
            if (S_ISREG(st.st_mode)) {
                is_dir = false;
            } else if (S_ISDIR(st.st_mode)) {
                is_dir = true;
            } else {
                char mode[16];
                std::snprintf(mode, sizeof mode, "%o", st.st_mode & S_IFMT);
                error("unsupported file type " + path + ": " + mode);
                return;
            }
        }
        if (is_dir) {
            int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0) {
                error("openat(" + path + ", O_RDONLY): " + std::strerror(errno));
                return;
            }
            path += '/';
            walk(fd, path);
        } else {
            consider_file(dfd, path, name);
        }
    }

    void consider_file(int dfd, const std::string& path, const char* name) {
        std::string_view base(name);
        if (!module::has_module_extension(base)) return;
        std::string modname = module::modname_normalize(base);
        auto it = m_by_name.find(modname);
        if (it != m_by_name.end()) {
            Candidate& existing = m_found[it->second];
            if (m_config.keeps_existing(m_dirname, existing.path, path)) return;
            existing = make_candidate(dfd, path, name, std::move(modname));
            return;
        }
        m_by_name.emplace(modname, m_found.size());
        m_found.push_back(make_candidate(dfd, path, name, std::move(modname)));
    }

    Candidate make_candidate(int dfd, const std::string& path, const char* base, std::string name) {
        Candidate c;
        c.path = path;
        c.relpath = relative_to(m_dirname, path);
        c.name = std::move(name);
        // Relative to the open directory: much cheaper than stat() of the full path later.
        struct stat st;
        if (m_with_identity && fstatat(dfd, base, &st, 0) == 0) set_identity(c, st);
        return c;
    }

    const std::string& m_dirname;
    const config::DepmodConfig& m_config;
    bool m_with_identity;
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

void set_identity(Candidate& c, const struct stat& st) {
    c.size = static_cast<uint64_t>(st.st_size);
    c.inode = st.st_ino;
    c.device = st.st_dev;
    c.mtime_sec = st.st_mtim.tv_sec;
    c.mtime_nsec = st.st_mtim.tv_nsec;
}

ScanResult scan_tree(const std::string& dirname, const config::DepmodConfig& config,
                     bool with_identity) {
    ScanResult out;
    Walker walker(dirname, config, with_identity, out);
    if (!walker.walk_root(dirname, true)) {
        out.failed = true;
        return out;
    }
    // External directories: a missing one is reported and skipped.
    for (const std::string& ext : config.external_dirs())
        walker.walk_root(ext, false);
    walker.add_found();
    return out;
}

} // namespace modkit::depmod
