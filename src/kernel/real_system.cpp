// The System of the running machine: the module syscalls (glibc's init_module and delete_module
// stubs, syscall(2) for finit_module), files read from the real /proc and /sys, uname(2).
#include "kernel/system.hpp"

#include "util/mapped_file.hpp"

#include <cerrno>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

// glibc exports these two syscall stubs without declaring them. They are called by name, as
// kmod calls them, so tools that stand in for the kernel with LD_PRELOAD (kmod's own test
// suite does) see modkit's calls too; finit_module has no such stub and goes through syscall(2).
extern "C" long init_module(const void* image, unsigned long len, const char* params);
extern "C" long delete_module(const char* name, unsigned int flags);

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
        return result(::init_module(image.data(), image.size(), params.c_str()));
    }

    int delete_module(const std::string& name, unsigned flags) override {
        return result(::delete_module(name.c_str(), flags));
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
