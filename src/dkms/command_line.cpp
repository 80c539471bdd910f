// The option table in dkms.in's order (the first pattern that matches wins, so `--archive` is
// not `--arch`), read_arg's two value forms, and the bare-word rules. Options modkit adds
// (--jobs, --skip-abi-check) come after all of DKMS's, so they never shadow one.
#include "dkms/command_line.hpp"

#include "dkms/tree.hpp"
#include "util/atomic_file.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

#include <array>
#include <cstdlib>

namespace modkit::dkms {

namespace {

enum class Opt {
    Module,
    Version,
    Kernel,
    TemplateKernel,
    Conf,
    Quiet,
    ShowVersion,
    Deprecated,
    BinariesOnly,
    SourceOnly,
    Force,
    ForceVersionOverride,
    All,
    Verbose,
    Ignored,
    DkmsTree,
    SourceTree,
    InstallTree,
    SymlinkModules,
    Config,
    Archive,
    Arch,
    KernelSourceDir,
    Directive,
    NoDepmod,
    ModprobeOnInstall,
    ParallelJobs,
    Help,
    Jobs,
    SkipAbiCheck,
    Json
};

// `--name*` in DKMS's case statement matches every word that starts with --name.
enum class Match { Exact, Prefix };

struct OptionSpec {
    std::string_view long_name;
    Match match;
    std::string_view short_name; // "" when there is none
    Opt opt;
};

constexpr std::array k_options = {
    OptionSpec{"--module", Match::Prefix, "-m", Opt::Module},
    OptionSpec{"", Match::Exact, "-v", Opt::Version},
    OptionSpec{"--kernelver", Match::Prefix, "-k", Opt::Kernel},
    OptionSpec{"--templatekernel", Match::Prefix, "", Opt::TemplateKernel},
    OptionSpec{"", Match::Exact, "-c", Opt::Conf},
    OptionSpec{"--quiet", Match::Exact, "-q", Opt::Quiet},
    OptionSpec{"--version", Match::Exact, "-V", Opt::ShowVersion},
    OptionSpec{"--no-initrd", Match::Exact, "", Opt::Deprecated},
    OptionSpec{"--no-clean-kernel", Match::Exact, "", Opt::Deprecated},
    OptionSpec{"--no-prepare-kernel", Match::Exact, "", Opt::Deprecated},
    OptionSpec{"--binaries-only", Match::Exact, "", Opt::BinariesOnly},
    OptionSpec{"--source-only", Match::Exact, "", Opt::SourceOnly},
    OptionSpec{"--force", Match::Exact, "", Opt::Force},
    OptionSpec{"--force-version-override", Match::Exact, "", Opt::ForceVersionOverride},
    OptionSpec{"--all", Match::Exact, "", Opt::All},
    OptionSpec{"--verbose", Match::Exact, "", Opt::Verbose},
    OptionSpec{"--rpm_safe_upgrade", Match::Exact, "", Opt::Ignored}, // no rpm transactions
    OptionSpec{"--dkmstree", Match::Prefix, "", Opt::DkmsTree},
    OptionSpec{"--sourcetree", Match::Prefix, "", Opt::SourceTree},
    OptionSpec{"--installtree", Match::Prefix, "", Opt::InstallTree},
    OptionSpec{"--symlink-modules", Match::Exact, "", Opt::SymlinkModules},
    OptionSpec{"--config", Match::Prefix, "", Opt::Config},
    OptionSpec{"--archive", Match::Prefix, "", Opt::Archive},
    OptionSpec{"--arch", Match::Prefix, "-a", Opt::Arch},
    OptionSpec{"--kernelsourcedir", Match::Prefix, "", Opt::KernelSourceDir},
    OptionSpec{"--directive", Match::Prefix, "", Opt::Directive},
    OptionSpec{"--no-depmod", Match::Exact, "", Opt::NoDepmod},
    OptionSpec{"--modprobe-on-install", Match::Exact, "", Opt::ModprobeOnInstall},
    OptionSpec{"--debug", Match::Exact, "", Opt::Ignored}, // set -x: no bash to trace
    OptionSpec{"", Match::Exact, "-j", Opt::ParallelJobs},
    OptionSpec{"--help", Match::Exact, "-h", Opt::Help},
    OptionSpec{"--jobs", Match::Prefix, "", Opt::Jobs},
    OptionSpec{"--skip-abi-check", Match::Exact, "", Opt::SkipAbiCheck},
    OptionSpec{"--json", Match::Exact, "", Opt::Json},
};

const OptionSpec* find_option(std::string_view arg) {
    for (const auto& spec : k_options) {
        if (!spec.short_name.empty() && arg == spec.short_name) return &spec;
        if (spec.long_name.empty()) continue;
        if (spec.match == Match::Exact ? arg == spec.long_name
                                       : util::starts_with(arg, spec.long_name))
            return &spec;
    }
    return nullptr;
}

bool takes_value(Opt opt) {
    switch (opt) {
    case Opt::Module:
    case Opt::Version:
    case Opt::Kernel:
    case Opt::TemplateKernel:
    case Opt::Conf:
    case Opt::DkmsTree:
    case Opt::SourceTree:
    case Opt::InstallTree:
    case Opt::Config:
    case Opt::Archive:
    case Opt::Arch:
    case Opt::KernelSourceDir:
    case Opt::Directive:
    case Opt::ParallelJobs:
    case Opt::Jobs:
        return true;
    default:
        return false;
    }
}

// bash's `read -r var <<< text`: the first line, without leading and trailing blanks.
std::string read_r(std::string_view text) {
    size_t nl = text.find('\n');
    if (nl != std::string_view::npos) text = text.substr(0, nl);
    size_t b = text.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    size_t e = text.find_last_not_of(" \t");
    return std::string(text.substr(b, e - b + 1));
}

// read_arg: the text after the first '=' of the word itself, else the next word (consumed;
// empty when there is none).
std::string read_arg(std::span<const std::string> args, size_t& i) {
    const std::string& arg = args[i];
    if (size_t eq = arg.find('='); eq != std::string::npos) return read_r(arg.substr(eq + 1));
    if (i + 1 < args.size()) return read_r(args[++i]);
    ++i;
    return {};
}

// mv_re '^([^/]*)/(.*)$': split on the first '/'.
void split_slash(const std::string& s, std::string& first, std::string& second, bool& had) {
    size_t slash = s.find('/');
    had = slash != std::string::npos;
    first = had ? s.substr(0, slash) : s;
    if (had) second = s.substr(slash + 1);
}

void parse_module_version(const std::string& s, CommandLine& cmd) {
    bool had = false;
    split_slash(s, cmd.module, cmd.version, had);
}

void parse_kernel_arch(const std::string& s, CommandLine& cmd) {
    std::string kernel, arch;
    bool had = false;
    split_slash(s, kernel, arch, had);
    cmd.kernels.push_back(kernel);
    if (had) cmd.arches.push_back(arch);
}

void apply_value(Opt opt, const std::string& value, CommandLine& cmd, Context& ctx) {
    switch (opt) {
    case Opt::Module:
        parse_module_version(value, cmd);
        break;
    case Opt::Version:
        cmd.version = value;
        break;
    case Opt::Kernel:
        parse_kernel_arch(value, cmd);
        break;
    case Opt::TemplateKernel:
        ctx.template_kernel = value;
        break;
    case Opt::Conf:
        ctx.conf = value;
        break;
    case Opt::DkmsTree:
        ctx.dkms_tree = value;
        break;
    case Opt::SourceTree:
        ctx.source_tree = value;
        break;
    case Opt::InstallTree:
        ctx.install_tree = value;
        break;
    case Opt::Config:
        ctx.cli_kernel_config = value;
        break;
    case Opt::Archive:
        ctx.archive_location = value;
        break;
    case Opt::Arch:
        cmd.arches.push_back(value);
        break;
    case Opt::KernelSourceDir:
        ctx.cli_kernel_source_dir = value;
        break;
    case Opt::ParallelJobs:
        ctx.parallel_jobs = value;
        break;
    case Opt::Jobs:
        ctx.build_jobs = static_cast<unsigned>(std::strtoul(value.c_str(), nullptr, 10));
        break;
    case Opt::Directive: {
        size_t eq = value.find('=');
        ctx.directives.emplace_back(value.substr(0, eq),
                                    eq == std::string::npos ? "" : value.substr(eq + 1));
        break;
    }
    default:
        break;
    }
}

void apply_flag(Opt opt, Context& ctx) {
    switch (opt) {
    case Opt::BinariesOnly:
        ctx.binaries_only = true;
        break;
    case Opt::SourceOnly:
        ctx.source_only = true;
        break;
    case Opt::Force:
        ctx.force = true;
        break;
    case Opt::ForceVersionOverride:
        ctx.force_version_override = true;
        break;
    case Opt::All:
        ctx.all = true;
        break;
    case Opt::Verbose:
        ctx.verbose = true;
        break;
    case Opt::SymlinkModules:
        ctx.symlink_modules = true;
        break;
    case Opt::NoDepmod:
        ctx.no_depmod = true;
        break;
    case Opt::ModprobeOnInstall:
        ctx.modprobe_on_install = true;
        break;
    case Opt::SkipAbiCheck:
        ctx.skip_abi_check = true;
        break;
    case Opt::Json:
        ctx.json = true;
        break;
    case Opt::Quiet:
        ctx.quiet = true;
        break;
    default:
        break;
    }
}

// A word that is not an option, by dkms.in's rules. False when it stops the parse.
bool take_word(const std::string& word, ParseResult& r, Context& ctx) {
    CommandLine& cmd = r.command;
    if (is_action(word)) {
        if (!cmd.action.empty()) {
            r.stop = ParseStop::SecondAction;
            return false;
        }
        cmd.action = word;
    } else if (util::is_regular_file(word) && util::ends_with(word, "dkms.conf")) {
        cmd.source_path = word.substr(0, word.size() - 9) + "./";
    } else if (util::is_directory(word) && util::is_regular_file(word + "/dkms.conf")) {
        cmd.source_path = word;
    } else if (util::is_regular_file(word)) {
        ctx.archive_location = word;
    } else if (cmd.module.empty()) {
        parse_module_version(word, cmd);
    } else {
        r.events.push_back({ParseEvent::Kind::CannotHandle, word});
    }
    return true;
}

// The last four (mkbmdeb, mkdeb, mkdsc, mkrpm) are DKMS 2.8's.
constexpr std::string_view k_actions[] = {
    "remove",         "install",         "autoinstall",  "uninstall", "match",     "mktarball",
    "build",          "unbuild",         "add",          "status",    "ldtarball", "generate_mok",
    "kernel_preinst", "kernel_postinst", "kernel_prerm", "mkbmdeb",   "mkdeb",     "mkdsc",
    "mkrpm"}; // the last four: DKMS 2.8's

} // namespace

bool is_action(std::string_view word) {
    for (auto a : k_actions)
        if (word == a) return true;
    return false;
}

std::span<const std::string_view> actions() {
    return k_actions;
}

std::vector<std::string_view> option_words() {
    std::vector<std::string_view> out;
    for (const auto& spec : k_options) {
        if (!spec.long_name.empty()) out.push_back(spec.long_name);
        if (!spec.short_name.empty()) out.push_back(spec.short_name);
    }
    return out;
}

ParseResult parse_command_line(std::span<const std::string> args, Context& ctx) {
    ParseResult r;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        const OptionSpec* spec = find_option(arg);
        if (spec == nullptr) {
            if (util::starts_with(arg, "-")) {
                r.stop = ParseStop::UnknownOption;
                r.stop_arg = arg;
                return r;
            }
            if (!take_word(arg, r, ctx)) return r;
            continue;
        }
        if (takes_value(spec->opt)) {
            std::string value = read_arg(args, i);
            apply_value(spec->opt, value, r.command, ctx);
            continue;
        }
        switch (spec->opt) {
        case Opt::ShowVersion:
            r.stop = ParseStop::Version;
            return r;
        case Opt::Help:
            r.stop = ParseStop::Help;
            return r;
        case Opt::Deprecated:
            r.events.push_back({ParseEvent::Kind::Deprecated, arg});
            break;
        case Opt::Quiet:
            r.events.push_back({ParseEvent::Kind::Quiet, arg});
            break;
        default:
            break;
        }
        apply_flag(spec->opt, ctx);
    }
    return r;
}

} // namespace modkit::dkms
