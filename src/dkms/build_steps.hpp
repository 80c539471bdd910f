// The steps of one build, in DKMS's order: read the conf, check the kernel, stage a copy of
// the source, apply patches, PRE_BUILD, make (logged to make.log), check the modules were
// built for the target kernel, strip, sign, compress, POST_BUILD, then publish the staging
// directory as <m>/<v>/<K>/<A> with one rename.
#pragma once
#include "dkms/build.hpp"
#include "dkms/conf.hpp"
#include "dkms/signing.hpp"

#include <chrono>
#include <string>

namespace modkit::dkms {

class BuildSteps {
public:
    BuildSteps(const Context& ctx, const BuildJob& job, Report& report);
    ~BuildSteps();
    BuildSteps(const BuildSteps&) = delete;
    BuildSteps& operator=(const BuildSteps&) = delete;

    Outcome run();
    // After a failure: the directory holding the failed build (with its make.log).
    std::string failed_build_dir() const { return m_failed_build; }

private:
    Outcome prepare();
    Outcome check_build_depends();
    Outcome stage_source();
    Outcome apply_patches();
    Outcome run_make();
    Outcome check_built_modules();
    Outcome collect_modules();
    Outcome publish();
    // Runs `command` (eval'd by bash with DKMS's variables) in the build directory, its
    // output appended to make.log inside a "# command / # exit code" block.
    int run_logged(const std::string& title, const std::string& command);
    void log(std::string_view text);
    void fail_cleanup();

    const Context& m_ctx;
    const BuildJob& m_job;
    Report& m_report;
    Tree m_tree;
    ConfTarget m_target;
    DkmsConf m_conf;
    SigningSetup m_signing;
    std::string m_staging;  // <m>/<v>/<K>/.tmp_<A>_XXXXXX
    std::string m_work;     // where the build files really are
    std::string m_visible;  // <dkms_tree>/<m>/<v>/build, as commands see it
    bool m_private = false; // m_work is bind-mounted at m_visible for commands
    int m_log_fd = -1;
    std::string m_log_path;
    std::string m_failed_build;
    int m_activity = -1; // the status line a terminal shows for this build
};

// After all builds of a package: DKMS removes <m>/<v>/build once a build succeeded, and a
// failed build's directory is left there for inspection.
void finish_build_dir(const Tree& tree, const std::string& module, const std::string& version,
                      bool built, const std::string& failed_build, bool created_mount_point);

} // namespace modkit::dkms
