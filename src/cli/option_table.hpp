// A tool's options as data: the long and short forms getopt takes, whether a value follows and
// what kind of value it is, and one line of help. Each tool's parser runs on its table, and the
// shell completions and the man-page checks are generated from the same tables, so none of
// them can drift from what the parser accepts.
#pragma once

#include <getopt.h>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::cli {

// What an option's value (or a tool's operand) is, for completions: a path, a kernel version,
// a module name from the index, a loaded module, a DKMS module/version...
enum class ValueKind {
    None,
    File,
    Directory,
    KernelVersion,
    Module, // a module name (or alias) of the module index
    Number,
    Word,
    LoadedModule, // a module in /proc/modules
    ModuleFile,   // a .ko file (any compression)
    ModuleOrFile, // a module of the index or a .ko file (modinfo)
    DkmsModule,   // module/version of the DKMS tree
    Arch,         // a machine architecture (uname -m)
};

struct OptionSpec {
    int id;                     // what OptionParser::next() returns: the short letter, or >= 256
    std::string_view long_name; // without "--"; empty when there is only a short form
    char short_name = 0;        // 0 when there is only a long form
    ValueKind value = ValueKind::None;
    std::string_view help = {}; // empty for a deprecated alias that is not offered
};

class OptionParser {
public:
    // `mode` is put before the short options ("+" stops at the first non-option).
    explicit OptionParser(std::span<const OptionSpec> specs, std::string_view mode = {});

    // getopt_long over argv, from optind: the id of the next option, -1 at the end, '?' for an
    // unknown option or a missing value (getopt has printed why).
    int next(int argc, char** argv);
    // The value of the option just returned (optarg).
    const char* value() const { return optarg; }
    // How the option just returned was spelled: "--name" for a long one, "-x" for a short one.
    std::string typed() const;

private:
    std::span<const OptionSpec> m_specs;
    std::vector<option> m_long;
    std::string m_short;
    int m_index = -1; // the long option just matched, or -1
    int m_id = 0;
};

// A subcommand (`abi check`, `kmod list`, `dkms build`): its name, one line of help, its own
// options (empty: the tool's options apply) and what its operands are.
struct Subcommand {
    std::string_view name;
    std::string_view help;
    std::span<const OptionSpec> options = {};
    ValueKind operands = ValueKind::None;
};

// Every tool with a table, for the completion and man-page generators: the name users type,
// its options (with subcommands: those accepted before or with every subcommand) and operands.
struct ToolOptions {
    std::string_view tool;
    std::span<const OptionSpec> options;
    ValueKind operands = ValueKind::None;
    std::span<const Subcommand> subcommands = {};
};
std::span<const ToolOptions> all_tool_options();
const ToolOptions* find_tool_options(std::string_view tool);

// The tables themselves, one per tool (defined next to each tool's parser).
std::span<const OptionSpec> depmod_options();
std::span<const OptionSpec> modprobe_options();
std::span<const OptionSpec> modinfo_options();
std::span<const OptionSpec> insmod_options();
std::span<const OptionSpec> rmmod_options();
std::span<const OptionSpec> lsmod_options();
std::span<const OptionSpec> static_nodes_options();
std::span<const OptionSpec> daemon_options();
std::span<const OptionSpec> kmod_options();
std::span<const OptionSpec> abi_check_options();
std::span<const OptionSpec> abi_diff_options();
std::span<const OptionSpec> hw_options();
std::span<const OptionSpec> preflight_options();
std::span<const OptionSpec> weak_modules_options();
std::span<const OptionSpec> modules_load_options();
std::span<const OptionSpec> params_options();
// DKMS parses its own command line (dkms/command_line.cpp, DKMS's rules); this table lists the
// same options for completions and the man page, and a unit test keeps the two equal.
std::span<const OptionSpec> dkms_options();
std::span<const Subcommand> dkms_actions();

} // namespace modkit::cli
