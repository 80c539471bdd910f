// Why a module would (or would not) load: the lookup chain source by source, the module each
// answer names, every configuration line that contributes options, blacklist, softdeps or an
// install command (with its file and line), and the probe plan with the reason for each step.
// The data behind `modprobe --explain` and `modkit explain`; kernel state is added by the CLI.
#pragma once

#include "resolve/probe.hpp"
#include "resolve/removal.hpp"

#include <optional>
#include <string>
#include <vector>

namespace modkit::resolve {

struct LookupAttempt {
    Source source;
    std::vector<Found> found; // empty: this source had no answer
};

struct ExplainedModule {
    ModId mod = 0;
    std::string name;
    std::optional<std::string> alias;
    Source source = Source::ModulesDep;
    std::string origin; // config alias line, for Source::ConfigAlias
    std::optional<std::string> path;
    bool builtin = false;
    const config::Blacklist* blacklist = nullptr;
    bool blacklist_applies = false; // reached through an alias (or -b)
    std::vector<const config::Options*> options;
    std::optional<std::string> cmdline_options; // given after the name on modprobe's command line
    const config::Command* install = nullptr;
    const config::Softdep* softdep = nullptr;
    std::vector<std::string> softdep_pre, softdep_post; // resolved module names
    ProbePlan plan;                                     // loading (without -r)
    std::optional<RemovalPlan> removal;                 // removal (with -r)
};

// Why lookups cannot answer at all, for a directory without its indexes.
enum class DirectoryState {
    Ready,          // modules.dep.bin is there
    NoDirectory,    // the module directory itself does not exist
    NoDependencies, // the directory exists, modules.dep.bin does not: depmod never ran
};

struct Explanation {
    std::string input;
    DirectoryState directory = DirectoryState::Ready;
    std::string normalized;
    bool invalid = false;                // unbalanced brackets
    std::vector<LookupAttempt> attempts; // in chain order, up to the first that answered
    std::vector<ExplainedModule> modules;
};

// What modprobe would do with `input`: load it (with `extra_options`, the words after it on the
// command line; null when there are none), or, when `removal` is given, remove it.
util::Expected<Explanation> explain(Resolver& r, std::string_view input, const ProbeFlags& flags,
                                    const std::string* extra_options = nullptr,
                                    const RemovalFlags* removal = nullptr);

} // namespace modkit::resolve
