// weak-updates/ on disk: link replacement by rename, removal, and the initramfs tools.
#include "exec/weak_updates.hpp"

#include "util/atomic_file.hpp"
#include "util/strings.hpp"

#include "util/fs.hpp"
#include <cerrno>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace modkit::exec {
namespace {

util::Expected<void> replace_link(const std::string& target, const std::string& link) {
    std::string dir(util::dirname(link));
    if (auto made = util::make_directories(dir); !made) return made;
    std::string temp = dir + "/.weak-link." + std::to_string(::getpid());
    ::unlink(temp.c_str());
    if (::symlink(target.c_str(), temp.c_str()) != 0)
        return util::fail_errno(errno, temp, "symlink");
    if (::rename(temp.c_str(), link.c_str()) != 0) {
        int err = errno;
        ::unlink(temp.c_str());
        return util::fail_errno(err, link, "rename");
    }
    return {};
}

// Removes `link`, then its parent directories up to weak-updates/ while they are empty.
util::Expected<void> remove_link(const std::string& link) {
    if (::unlink(link.c_str()) != 0 && errno != ENOENT)
        return util::fail_errno(errno, link, "unlink");
    std::string dir(util::dirname(link));
    while (!dir.ends_with("/weak-updates") && dir.find("/weak-updates/") != std::string::npos) {
        if (::rmdir(dir.c_str()) != 0) break;
        dir = std::string(util::dirname(dir));
    }
    return {};
}

bool executable(const std::string& path) {
    return ::access(path.c_str(), X_OK) == 0;
}

} // namespace

util::Expected<void> apply_weak_links(const std::vector<std::pair<std::string, std::string>>& add,
                                      const std::vector<std::string>& remove,
                                      const std::function<void(const std::string&)>& say) {
    for (const auto& link : remove) {
        if (say) say("rm " + link);
        if (auto r = remove_link(link); !r) return r;
    }
    for (const auto& [target, link] : add) {
        if (say) say("ln -s " + target + " " + link);
        if (auto r = replace_link(target, link); !r) return r;
    }
    return {};
}

util::Expected<void> rebuild_initramfs(const std::string& kernel) {
    std::vector<std::string> argv;
    if (executable("/usr/bin/dracut") || executable("/sbin/dracut"))
        argv = {executable("/usr/bin/dracut") ? "/usr/bin/dracut" : "/sbin/dracut", "-f", "--kver",
                kernel};
    else if (executable("/usr/sbin/update-initramfs"))
        argv = {"/usr/sbin/update-initramfs", "-u", "-k", kernel};
    else
        return util::fail(util::ErrorKind::NotFound, ENOENT, "",
                          "neither dracut nor update-initramfs is installed");
    std::vector<char*> args;
    for (auto& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = 0;
    if (int err = ::posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ); err != 0)
        return util::fail_errno(err, argv[0], "could not run");
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return util::fail(util::ErrorKind::Io, EIO, argv[0],
                          "failed for kernel " + kernel + " (status " + std::to_string(status) +
                              ")");
    return {};
}

} // namespace modkit::exec
