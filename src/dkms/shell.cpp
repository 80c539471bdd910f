// fork/exec of bash with redirections, an environment and an optional private mount
// namespace. Everything the child needs is prepared before fork(), so the child only makes
// async-signal-safe system calls (this process may have threads).
#include "dkms/shell.hpp"

#include "util/output.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace modkit::dkms {

std::string shell_quote(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    out += '\'';
    return out;
}

namespace {

constexpr const char* k_bash = "/bin/bash";

// The child's environment: ours, with `set` applied (later entries win).
std::vector<std::string>
child_environment(const std::vector<std::pair<std::string, std::string>>& set) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string_view entry(*e);
        std::string_view name = entry.substr(0, entry.find('='));
        bool replaced = false;
        for (const auto& [n, v] : set)
            if (n == name) replaced = true;
        if (!replaced) env.emplace_back(entry);
    }
    for (const auto& [n, v] : set)
        env.push_back(n + "=" + v);
    return env;
}

// Runs in the child after fork(): only system calls from here on.
[[noreturn]] void exec_child(const ShellCommand& cmd, char* const* argv, char* const* envp,
                             int capture_fd) {
    if (!cmd.bind_source.empty()) {
        if (unshare(CLONE_NEWNS) != 0 ||
            mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            mount(cmd.bind_source.c_str(), cmd.bind_target.c_str(), nullptr, MS_BIND, nullptr) != 0)
            _exit(126);
    }
    if (!cmd.cwd.empty() && chdir(cmd.cwd.c_str()) != 0) _exit(126);
    if (!cmd.inherit_stdin) {
        int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null_fd >= 0) dup2(null_fd, 0);
    }
    if (capture_fd >= 0)
        dup2(capture_fd, 1);
    else if (cmd.stdout_fd >= 0)
        dup2(cmd.stdout_fd, 1);
    if (cmd.stderr_fd >= 0) dup2(cmd.stderr_fd, 2);
    execve(k_bash, argv, envp);
    _exit(127);
}

util::Expected<int> spawn_and_wait(const ShellCommand& cmd, std::string* captured) {
    std::vector<std::string> argv_store = {"bash", "--noprofile", "--norc",
                                           "-c",   cmd.script,    "bash"};
    for (const auto& a : cmd.args)
        argv_store.push_back(a);
    std::vector<char*> argv;
    for (auto& s : argv_store)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_store = child_environment(cmd.set_env);
    std::vector<char*> envp;
    for (auto& s : env_store)
        envp.push_back(s.data());
    envp.push_back(nullptr);

    int pipe_fds[2] = {-1, -1};
    if (captured != nullptr && pipe2(pipe_fds, O_CLOEXEC) != 0)
        return util::fail_errno(errno, "", "cannot create a pipe");
    // Our buffered stdout goes first when the child writes to the same descriptor.
    if (captured == nullptr && cmd.stdout_fd < 0) util::Output::flush();
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        if (pipe_fds[0] >= 0) close(pipe_fds[0]), close(pipe_fds[1]);
        return util::fail_errno(err, k_bash, "cannot start bash");
    }
    if (pid == 0) exec_child(cmd, argv.data(), envp.data(), pipe_fds[1]);
    if (captured != nullptr) {
        close(pipe_fds[1]);
        char buf[65536];
        for (;;) {
            ssize_t n = read(pipe_fds[0], buf, sizeof buf);
            if (n > 0)
                captured->append(buf, static_cast<size_t>(n));
            else if (n == 0 || errno != EINTR)
                break;
        }
        close(pipe_fds[0]);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return util::fail_errno(errno, k_bash, "cannot wait for bash");
    }
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

} // namespace

util::Expected<int> run_shell(const ShellCommand& cmd) {
    return spawn_and_wait(cmd, nullptr);
}

util::Expected<Captured> capture_shell(const ShellCommand& cmd) {
    Captured c;
    auto status = spawn_and_wait(cmd, &c.out);
    if (!status) return util::fail(status.error());
    c.status = *status;
    return c;
}

bool private_mounts_available() {
    static std::once_flag once;
    static bool available = false;
    std::call_once(once, [] {
        if (geteuid() != 0) return;
        pid_t pid = fork();
        if (pid < 0) return;
        if (pid == 0) {
            if (unshare(CLONE_NEWNS) != 0) _exit(1);
            if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(1);
            _exit(0);
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        available = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    });
    return available;
}

void prepare_dkms_environment() {
    umask(022);
    const char* path = std::getenv("PATH");
    std::string p = path != nullptr ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
    p += ":/usr/lib/dkms";
    setenv("PATH", p.c_str(), 1);
    for (const char* v : {"CC", "CXX", "CFLAGS", "CXXFLAGS", "LDFLAGS"})
        unsetenv(v);
}

} // namespace modkit::dkms
