// run_removal(): modprobe's rmmod_do_module / rmmod_do_remove_module and rmmod's removal,
// driven by a resolve::RemovalPlan whose conditions are checked here, on the live kernel.
#include "exec/remove_exec.hpp"

#include "exec/kernel_state.hpp"
#include "kernel/remove.hpp"

#include <cstring>
#include <ctime>
#include <sys/wait.h>

namespace modkit::exec {

using resolve::OnFail;
using resolve::RemovalPlan;

resolve::RemovalFlags RemoveRunOptions::flags() const {
    resolve::RemovalFlags f;
    f.ignore_commands = ignore_commands;
    f.ignore_loaded = ignore_loaded;
    f.first_time = first_time;
    f.remove_holders = remove_holders;
    f.wait = wait_msec != 0;
    return f;
}

namespace {

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
    Remover(resolve::Resolver* r, const RemoveRunOptions& opt, util::LogLevel level, Effects& fx,
            const RefusalFn& refused)
        : m_r(r)
        , m_opt(opt)
        , m_level(level)
        , m_fx(fx)
        , m_refused(refused) {}

    int run(const RemovalPlan& p) {
        if (p.softdeps_errno != 0)
            return refuse({Refusal::Kind::SoftdepsFailed, p.name, {}, p.softdeps_errno},
                          -p.softdeps_errno);
        if (p.builtin)
            return p.if_builtin == OnFail::Refuse
                       ? refuse({Refusal::Kind::Builtin, p.name, {}, 0}, -ENOENT)
                       : 0;
        if (p.check_loaded && !exec::initstate(m_fx.system, p.name, m_fx.log).has_value())
            return p.if_not_loaded == OnFail::Refuse
                       ? refuse({Refusal::Kind::NotLoaded, p.name, {}, 0}, -ENOENT)
                       : 0;
        for (const RemovalPlan& s : p.post) {
            run(s); // soft dependencies: failures do not matter
            if (m_fx.stop()) return -ECANCELED;
        }
        if (p.remove_holders)
            if (int err = remove_holders(p); err < 0) return err;
        if (p.refuse_if_held) {
            auto list = exec::holders(m_fx.system, p.name, m_fx.log);
            if (list && !list->empty())
                return refuse({Refusal::Kind::HeldBy, p.name, *list, 0}, -EBUSY);
        }
        if (p.refuse_if_in_use) {
            int count = exec::refcnt(m_fx.system, p.name, m_fx.log);
            if (count > 0) return refuse({Refusal::Kind::InUse, p.name, {}, 0}, -EBUSY);
            if (p.refuse_if_no_unload && count < 0)
                return refuse({Refusal::Kind::NoUnload, p.name, {}, -count}, count);
        }
        int err = p.command != nullptr ? run_command(p) : remove_module(p.name);
        if (err < 0) return err;
        if (m_fx.stop()) return -ECANCELED;
        for (const RemovalPlan& d : p.unused_deps) {
            if (exec::refcnt(m_fx.system, d.name, m_fx.log) == 0) remove_module(d.name);
            if (m_fx.stop()) return -ECANCELED;
        }
        for (const RemovalPlan& s : p.pre) {
            run(s);
            if (m_fx.stop()) return -ECANCELED;
        }
        return 0;
    }

private:
    int refuse(const Refusal& why, int err) {
        if (m_refused) {
            m_refused(why);
            return err;
        }
        switch (why.kind) {
        case Refusal::Kind::Builtin:
            log("Module " + why.module + " is builtin.");
            break;
        case Refusal::Kind::NotLoaded:
            log("Module " + why.module + " is not in kernel.");
            break;
        case Refusal::Kind::InUse:
            log("Module " + why.module + " is in use.");
            break;
        case Refusal::Kind::CommandFailed:
            log("Error running remove command for " + why.module);
            break;
        case Refusal::Kind::SoftdepsFailed:
            m_fx.log(util::LogLevel::Warning,
                     "could not get softdeps of '" + why.module + "': " + std::strerror(why.err));
            break;
        case Refusal::Kind::HeldBy:
        case Refusal::Kind::NoUnload:
            break; // rmmod's checks: it passes its own wording
        }
        return err;
    }
    void log(const std::string& msg) { m_fx.log(m_level, msg); }

    // The modules holding p at this moment, last listed first; the first that cannot go stops.
    int remove_holders(const RemovalPlan& p) {
        auto names = exec::holders(m_fx.system, p.name, m_fx.log);
        if (!names || m_r == nullptr) return 0;
        resolve::RemovalFlags flags = m_opt.flags();
        flags.remove_holders = false;
        for (auto it = names->rbegin(); it != names->rend(); ++it) {
            auto sub = resolve::plan_removal(*m_r, m_r->by_name(*it), flags,
                                             resolve::RemovalReason::Holder, p.name);
            int err = sub ? run(*sub)
                          : refuse({Refusal::Kind::SoftdepsFailed, *it, {}, sub.error().sys_errno},
                                   -sub.error().sys_errno);
            if (err < 0) return err;
            if (m_fx.stop()) return -ECANCELED;
        }
        return 0;
    }

    // rmmod_do_remove_module: delete_module, with -w's waiting for the refcount to drop.
    int remove_module(const std::string& name) {
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
                    log("Module " + name + " is not in kernel.");
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
    int run_command(const RemovalPlan& p) {
        const std::string command = substitute_cmdline_opts(p.command->command, "");
        if (m_opt.show) m_fx.out("remove " + command + "\n");
        if (m_opt.dry_run) return 0;
        int status = m_fx.run_command(command, p.name);
        if (status == -1 || WEXITSTATUS(status) != 0) {
            refuse({Refusal::Kind::CommandFailed, p.name, {}, 0}, 0);
            if (status != -1) return -WEXITSTATUS(status);
        }
        return status == -1 ? -1 : 0;
    }

    resolve::Resolver* m_r;
    const RemoveRunOptions& m_opt;
    util::LogLevel m_level;
    Effects& m_fx;
    const RefusalFn& m_refused;
};

} // namespace

int run_removal(resolve::Resolver* r, const RemovalPlan& plan, const RemoveRunOptions& opt,
                util::LogLevel log_level, Effects& fx, const RefusalFn& refused) {
    Remover remover(r, opt, log_level, fx, refused);
    return remover.run(plan);
}

int run_remove(resolve::Resolver& r, resolve::ModId id, const RemoveRunOptions& opt,
               util::LogLevel log_level, Effects& fx) {
    auto plan = resolve::plan_removal(r, id, opt.flags());
    if (!plan) {
        int err = plan.error().sys_errno != 0 ? plan.error().sys_errno : EINVAL;
        fx.log(util::LogLevel::Warning,
               "could not get softdeps of '" + r.get(id).name + "': " + std::strerror(err));
        return -err;
    }
    return run_removal(&r, *plan, opt, log_level, fx);
}

} // namespace modkit::exec
