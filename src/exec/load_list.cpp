// run_load_list(): each entry's targets through module_load_and_warn's checks and libkmod's
// probe loop (kmod_module_probe_insert_module without KMOD_PROBE_IGNORE_LOADED), entries spread
// over threads, with a shared table of which module each earlier entry is done with.
#include "exec/load_list.hpp"

#include "exec/kernel_state.hpp"
#include "exec/load.hpp"
#include "exec/probe_exec.hpp"
#include "util/parallel.hpp"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace modkit::exec {

namespace {

using resolve::k_no_owner;
using resolve::LoadTarget;
using resolve::StepKind;
using util::LogLevel;

// Which (entry, module) pairs are finished: an entry waits here before it touches a module an
// earlier entry loads.
class DoneTable {
public:
    void wait(size_t owner, const std::string& module) {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] {
            return m_finished.count(owner) != 0 || m_done.count({owner, module}) != 0;
        });
    }
    void mark(size_t owner, const std::string& module) {
        {
            std::lock_guard lock(m_mutex);
            m_done.insert({owner, module});
        }
        m_changed.notify_all();
    }
    // The entry is finished: whatever it did not reach, it will not do.
    void finish(size_t owner) {
        {
            std::lock_guard lock(m_mutex);
            m_finished.insert(owner);
        }
        m_changed.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::set<std::pair<size_t, std::string>> m_done;
    std::set<size_t> m_finished;
};

struct Worker {
    System& sys;
    const LoadListOptions& options;
    DoneTable& done;
    size_t index; // the entry being run

    // Waits until the entry that loads `module` first is done with it, unless that is us.
    void wait_for(size_t owner, const std::string& module) {
        if (owner != k_no_owner && owner != index) done.wait(owner, module);
    }
    void mark(size_t owner, const std::string& module) {
        if (owner == index) done.mark(index, module);
    }

    bool live(const std::string& name) { return is_live(sys, name); }

    int install(const resolve::ProbeStep& s, TargetOutcome& out) {
        std::string cmd = substitute_cmdline_opts(s.install->command, s.options);
        int status = options.run_command ? options.run_command(cmd, s.name)
                                         : spawn_shell_command(cmd, s.name);
        if (status == -1) {
            out.log.emplace_back(LogLevel::Error, "Could not run install command '" + cmd +
                                                      "' for module " + s.name + ": " +
                                                      std::strerror(errno));
            return -EINVAL;
        }
        if (WEXITSTATUS(status) != 0) {
            out.log.emplace_back(LogLevel::Error, "Error running install command '" + cmd +
                                                      "' for module " + s.name + ": retcode " +
                                                      std::to_string(WEXITSTATUS(status)));
            return -EINVAL;
        }
        return 0;
    }

    // kmod_module_probe_insert_module's loop over the probe list.
    int probe(const LoadTarget& t, TargetOutcome& out) {
        int err = 0;
        const auto& steps = t.plan.steps;
        for (size_t i = 0; i < steps.size(); ++i) {
            const resolve::ProbeStep& s = steps[i];
            wait_for(t.step_owner[i], s.name);
            if (t.step_builtin[i] || live(s.name)) {
                err = -EEXIST;
            } else if (s.kind == StepKind::Install) {
                err = install(s, out);
            } else if (s.kind == StepKind::Insmod) {
                util::LogFn log = [&](LogLevel level, const std::string& msg) {
                    if (level <= LogLevel::Error) out.log.emplace_back(level, msg);
                };
                err = insert_module(sys, s.path, s.options, {}, log);
            } else {
                out.log.emplace_back(LogLevel::Error,
                                     "could not find module by name='" + s.name + "'");
                err = -ENOENT;
            }
            mark(t.step_owner[i], s.name);
            if (err == -EEXIST || !s.required)
                err = 0;
            else if (err < 0)
                break;
        }
        return err;
    }

    TargetOutcome run_target(const LoadTarget& t) {
        TargetOutcome out;
        if (t.builtin) {
            out.result = LoadResult::BuiltIn;
            return out;
        }
        wait_for(t.target_owner, t.name);
        if (live(t.name)) {
            out.result = LoadResult::AlreadyLoaded;
            return out;
        }
        if (t.plan.blacklisted) {
            out.result = LoadResult::Blacklisted;
            return out;
        }
        int err = probe(t, out);
        out.result = err < 0 ? LoadResult::Failed : LoadResult::Inserted;
        out.err = err;
        return out;
    }
};

} // namespace

int spawn_shell_command(const std::string& command, const std::string& module) {
    // The environment is copied, not changed: other threads may be spawning too.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e)
        if (std::strncmp(*e, "MODPROBE_MODULE=", 16) != 0) env_strings.emplace_back(*e);
    env_strings.push_back("MODPROBE_MODULE=" + module);
    std::vector<char*> envp;
    for (std::string& e : env_strings)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string sh = "sh", dash_c = "-c", cmd = command;
    char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
    pid_t pid = 0;
    if (::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv, envp.data()) != 0) return -1;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return status;
}

std::vector<ItemOutcome> run_load_list(const std::vector<resolve::LoadItem>& items, System& sys,
                                       const LoadListOptions& options) {
    DoneTable done;
    // parallel_map hands out entries in index order, so an entry only ever waits for entries
    // that some thread has already started: the earliest unfinished entry always progresses.
    return util::parallel_map(items.size(), options.jobs, [&](size_t i) {
        ItemOutcome out;
        Worker w{sys, options, done, i};
        for (const LoadTarget& t : items[i].targets)
            out.targets.push_back(w.run_target(t));
        done.finish(i);
        return out;
    });
}

} // namespace modkit::exec
