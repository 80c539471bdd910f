// The System of the running machine: the module syscalls through syscall(2) (glibc has no
// wrappers for them), files read from the real /proc and /sys, uname(2).
#include "kernel/system.hpp"

#include "util/mapped_file.hpp"

#include <cerrno>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace modkit::kernel {

namespace {

int result(long rc) {
    return rc < 0 ? -errno : 0;
}

class RealSystem final : public System {
public:
    int finit_module(int fd, const std::string& params, int flags) override {
        return result(::syscall(SYS_finit_module, fd, params.c_str(), flags));
    }

    int init_module(std::span<const uint8_t> image, const std::string& params) override {
        return result(::syscall(SYS_init_module, image.data(), image.size(), params.c_str()));
    }

    int delete_module(const std::string& name, unsigned flags) override {
        return result(::syscall(SYS_delete_module, name.c_str(), flags));
    }

    util::Expected<std::string> read_file(const std::string& path) override {
        return util::read_file(path);
    }

    util::Expected<std::vector<std::string>> list_dir(const std::string& path) override {
        DIR* d = ::opendir(path.c_str());
        if (d == nullptr) return util::fail_errno(errno, path, "could not open directory");
        std::vector<std::string> names;
        errno = 0;
        while (const dirent* e = ::readdir(d)) {
            std::string_view n = e->d_name;
            if (n != "." && n != "..") names.emplace_back(n);
        }
        int err = errno;
        ::closedir(d);
        if (err != 0) return util::fail_errno(err, path, "could not read directory");
        return names;
    }

    bool is_dir(const std::string& path) override {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }

    std::string kernel_release() override {
        struct utsname u {};
        if (::uname(&u) < 0) return {};
        return u.release;
    }

    std::string machine() override {
        struct utsname u {};
        if (::uname(&u) < 0) return {};
        return u.machine;
    }
};

} // namespace

System& real_system() {
    static RealSystem sys;
    return sys;
}

} // namespace modkit::kernel
