// run_remove(): modprobe's rmmod_do_module and rmmod_do_remove_module.
#include "exec/remove_exec.hpp"

#include "kernel/module_state.hpp"
#include "kernel/remove.hpp"

#include <cstring>
#include <ctime>
#include <sys/wait.h>

namespace modkit::exec {

using resolve::ModId;

namespace {

constexpr unsigned k_flag_remove_holders = 1;
constexpr unsigned k_flag_ignore_builtin = 2;

unsigned long long now_msec() {
    timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return static_cast<unsigned long long>(ts.tv_sec) * 1000 +
           static_cast<unsigned long long>(ts.tv_nsec) / 1000000;
}

// kmod's exponential backoff with a tail: the next wake-up time, and the interval it used.
unsigned long long backoff_until(unsigned long long tend, unsigned long long& delta) {
    unsigned long long t = now_msec();
    delta = delta == 0 ? 1 : delta << 1;
    while (delta != 0 && t + delta > tend)
        delta >>= 1;
    if (delta == 0 && tend > t) delta = tend - t;
    return t + delta;
}

class Remover {
public:
    Remover(resolve::Resolver& r, const RemoveRunOptions& opt, util::LogLevel level, Effects& fx)
        : m_r(r)
        , m_opt(opt)
        , m_level(level)
        , m_fx(fx) {}

    // rmmod_do_remove_module: delete_module, with -w's waiting for the refcount to drop.
    int remove_module(ModId id) {
        const std::string& name = m_r.get(id).name;
        if (m_opt.show) m_fx.out("rmmod " + name + "\n");
        if (m_opt.dry_run) return 0;
        unsigned long long t0 = 0, tend = 0, interval = 0;
        int err;
        do {
            unsigned flags = (m_opt.force ? kernel::k_remove_force : 0u) |
                             (m_opt.wait_msec != 0 ? kernel::k_remove_nolog : 0u);
            err = kernel::remove_module(m_fx.system, name, flags, m_fx.log);
            if (err == -EEXIST) {
                if (!m_opt.first_time)
                    err = 0;
                else
                    m_fx.log(m_level, "Module " + name + " is not in kernel.");
                break;
            }
            if (err != -EAGAIN || m_opt.wait_msec == 0) break;
            if (t0 == 0) {
                t0 = now_msec();
                tend = t0 + m_opt.wait_msec;
                interval = 1;
            }
            unsigned long long until = backoff_until(tend, interval);
            timespec ts{static_cast<time_t>(until / 1000),
                        static_cast<long>(until % 1000) * 1000000};
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
            }
        } while (interval != 0);
        if (err < 0 && m_opt.wait_msec != 0)
            m_fx.log(util::LogLevel::Error,
                     "could not remove '" + name + "': " + std::strerror(-err));
        return err;
    }

    // modprobe's command_do for remove commands (its own, not libkmod's): $CMDLINE_OPTS
    // becomes the empty string, in the printed line too.
    int run_command(ModId id, const std::string& raw_command) {
        const std::string& name = m_r.get(id).name;
        const std::string command = substitute_cmdline_opts(raw_command, "");
        if (m_opt.show) m_fx.out("remove " + command + "\n");
        if (m_opt.dry_run) return 0;
        int status = m_fx.run_command(command, name);
        if (status == -1 || WEXITSTATUS(status) != 0) {
            m_fx.log(m_level, "Error running remove command for " + name);
            if (status != -1) return -WEXITSTATUS(status);
        }
        return status == -1 ? -1 : 0;
    }

    // rmmod_do_modlist: in reverse order, as dependencies of something else.
    int remove_list(const std::vector<ModId>& list, bool stop_on_errors) {
        for (auto it = list.rbegin(); it != list.rend(); ++it) {
            int r = remove(*it, k_flag_ignore_builtin);
            if (r < 0 && stop_on_errors) return r;
        }
        return 0;
    }

    int remove(ModId id, unsigned flags) {
        const std::string name = m_r.get(id).name;
        std::vector<ModId> pre, post;
        const config::Command* cmd = nullptr;
        if (!m_opt.ignore_commands) {
            auto sd = m_r.softdeps(id);
            if (!sd) {
                m_fx.log(util::LogLevel::Warning, "could not get softdeps of '" + name +
                                                      "': " + std::strerror(sd.error().sys_errno));
                return -sd.error().sys_errno;
            }
            pre = sd->pre;
            post = sd->post;
            cmd = m_r.remove_command(id);
        }
        // Nothing to do for a module that is not loaded; a built-in one cannot go.
        if (cmd == nullptr && !m_opt.ignore_loaded) {
            auto builtin = m_r.is_builtin(id);
            if (builtin && *builtin) {
                if (flags & k_flag_ignore_builtin) return 0;
                m_fx.log(m_level, "Module " + name + " is builtin.");
                return -ENOENT;
            }
            if (!kernel::initstate(m_fx.system, name, m_fx.log)) {
                if (!m_opt.first_time) return 0;
                m_fx.log(m_level, "Module " + name + " is not in kernel.");
                return -ENOENT;
            }
        }
        remove_list(post, false);            // 1. its post-softdeps
        if (flags & k_flag_remove_holders) { // 2. modules holding it
            std::vector<ModId> holders;
            if (auto names = kernel::holders(m_fx.system, name, m_fx.log))
                for (const auto& h : *names)
                    holders.push_back(m_r.by_name(h));
            if (int err = remove_list(holders, true); err < 0) return err;
        }
        if (cmd == nullptr && !m_opt.ignore_loaded && m_opt.wait_msec == 0) { // 3. in use?
            if (kernel::refcnt(m_fx.system, name, m_fx.log) > 0) {
                m_fx.log(m_level, "Module " + name + " is in use.");
                return -EBUSY;
            }
        }
        int err = cmd == nullptr ? remove_module(id) : run_command(id, cmd->command);
        if (err < 0) return err;
        if (cmd == nullptr) { // 4. dependencies nobody uses any more: errors do not matter
            auto deps = m_r.dependencies(id);
            if (deps)
                for (ModId d : *deps)
                    if (kernel::refcnt(m_fx.system, m_r.get(d).name, m_fx.log) == 0)
                        remove_module(d);
        }
        remove_list(pre, false); // 5. its pre-softdeps
        return 0;
    }

private:
    resolve::Resolver& m_r;
    const RemoveRunOptions& m_opt;
    util::LogLevel m_level;
    Effects& m_fx;
};

} // namespace

int run_remove(resolve::Resolver& r, ModId id, const RemoveRunOptions& opt, util::LogLevel level,
               Effects& fx) {
    Remover remover(r, opt, level, fx);
    return remover.remove(id, opt.remove_holders ? k_flag_remove_holders : 0);
}

} // namespace modkit::exec
