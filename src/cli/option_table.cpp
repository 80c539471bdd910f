// OptionParser: getopt_long driven by an OptionSpec table; the list of every tool's table.
#include "cli/option_table.hpp"

namespace modkit::cli {

OptionParser::OptionParser(std::span<const OptionSpec> specs, std::string_view mode)
    : m_specs(specs)
    , m_short(mode) {
    for (const OptionSpec& s : specs) {
        const int has_arg = s.value == ValueKind::None ? no_argument : required_argument;
        if (!s.long_name.empty()) m_long.push_back({s.long_name.data(), has_arg, nullptr, s.id});
        if (s.short_name != 0 && m_short.find(s.short_name) == std::string::npos) {
            m_short += s.short_name;
            if (has_arg == required_argument) m_short += ':';
        }
    }
    m_long.push_back({nullptr, 0, nullptr, 0});
}

int OptionParser::next(int argc, char** argv) {
    m_index = -1;
    m_id = getopt_long(argc, argv, m_short.c_str(), m_long.data(), &m_index);
    return m_id;
}

std::string OptionParser::typed() const {
    if (m_index >= 0) return std::string("--") + m_long[static_cast<size_t>(m_index)].name;
    return std::string("-") + static_cast<char>(m_id);
}

namespace {

// DKMS's options as dkms/command_line.cpp accepts them (ids are only for this table: DKMS's
// own parser reads them). A value may also follow as `-k=K` or `--kernelver=K`.
enum DkmsId { k_dkms = 256 };
constexpr OptionSpec k_dkms_options[] = {
    {'m', "module", 'm', ValueKind::Word, "the module's name (or module/version)"},
    {'v', "", 'v', ValueKind::Word, "the module's version"},
    {'k', "kernelver", 'k', ValueKind::KernelVersion,
     "a kernel version (or kernel/arch); repeatable"},
    {'a', "arch", 'a', ValueKind::Arch, "the architecture of the preceding -k"},
    {'c', "", 'c', ValueKind::File, "the dkms.conf to use"},
    {'q', "quiet", 'q', ValueKind::None, "no output (errors only)"},
    {'V', "version", 'V', ValueKind::None, "print the version DKMS interface modkit implements"},
    {'h', "help", 'h', ValueKind::None, "print the usage"},
    {'j', "", 'j', ValueKind::Number, "parallel make jobs for each build"},
    {k_dkms + 1, "templatekernel", 0, ValueKind::KernelVersion, "match: the kernel to copy from"},
    {k_dkms + 2, "force", 0, ValueKind::None,
     "go on where DKMS would stop (install over, add again)"},
    {k_dkms + 3, "force-version-override", 0, ValueKind::None, "install even over a newer version"},
    {k_dkms + 4, "all", 0, ValueKind::None,
     "every kernel and architecture the module is built for"},
    {k_dkms + 5, "verbose", 0, ValueKind::None, "more output"},
    {k_dkms + 6, "binaries-only", 0, ValueKind::None, "mktarball: only the built modules"},
    {k_dkms + 7, "source-only", 0, ValueKind::None, "mktarball: only the source"},
    {k_dkms + 8, "dkmstree", 0, ValueKind::Directory, "the DKMS tree (default /var/lib/dkms)"},
    {k_dkms + 9, "sourcetree", 0, ValueKind::Directory, "the source tree (default /usr/src)"},
    {k_dkms + 10, "installtree", 0, ValueKind::Directory, "the module tree (default /lib/modules)"},
    {k_dkms + 11, "config", 0, ValueKind::File, "the kernel's .config or auto.conf"},
    {k_dkms + 12, "archive", 0, ValueKind::File, "ldtarball/mktarball: the tarball"},
    {k_dkms + 13, "kernelsourcedir", 0, ValueKind::Directory, "the kernel's build directory"},
    {k_dkms + 14, "directive", 0, ValueKind::Word, "a dkms.conf directive, NAME=VALUE"},
    {k_dkms + 15, "no-depmod", 0, ValueKind::None, "do not run depmod after install/uninstall"},
    {k_dkms + 16, "modprobe-on-install", 0, ValueKind::None, "load the module after installing it"},
    {k_dkms + 17, "rpm_safe_upgrade", 0, ValueKind::None, "accepted and ignored (no rpm)"},
    {k_dkms + 18, "debug", 0, ValueKind::None, "accepted and ignored (no bash to trace)"},
    {k_dkms + 19, "jobs", 0, ValueKind::Number, "builds run at once (modkit; default one per CPU)"},
    {k_dkms + 20, "skip-abi-check", 0, ValueKind::None,
     "install modules built for another kernel (modkit)"},
    {k_dkms + 25, "json", 0, ValueKind::None, "status: the lines as JSON (modkit)"},
    {k_dkms + 21, "symlink-modules", 0, ValueKind::None, {}},   // deprecated, ignored
    {k_dkms + 22, "no-initrd", 0, ValueKind::None, {}},         // deprecated, ignored
    {k_dkms + 23, "no-clean-kernel", 0, ValueKind::None, {}},   // deprecated, ignored
    {k_dkms + 24, "no-prepare-kernel", 0, ValueKind::None, {}}, // deprecated, ignored
};

constexpr Subcommand k_dkms_actions[] = {
    {"add", "add a module's source to the DKMS tree", {}, ValueKind::DkmsModule},
    {"remove",
     "remove a module version from the tree (and uninstall it)",
     {},
     ValueKind::DkmsModule},
    {"build", "build a module for a kernel", {}, ValueKind::DkmsModule},
    {"unbuild", "drop a module's build for a kernel", {}, ValueKind::DkmsModule},
    {"install", "install a built module into a kernel's module tree", {}, ValueKind::DkmsModule},
    {"uninstall", "uninstall a module from a kernel's module tree", {}, ValueKind::DkmsModule},
    {"match",
     "install the modules of another kernel (--templatekernel) for this one",
     {},
     ValueKind::None},
    {"autoinstall", "build and install every module marked AUTOINSTALL", {}, ValueKind::None},
    {"mktarball", "pack a module's source and builds into a tarball", {}, ValueKind::DkmsModule},
    {"ldtarball", "load a tarball made by mktarball into the tree", {}, ValueKind::File},
    {"status", "list modules, versions, kernels and their state", {}, ValueKind::DkmsModule},
    {"generate_mok", "create the key pair modules are signed with", {}, ValueKind::None},
    {"kernel_preinst", "the kernel hook run before a kernel is installed", {}, ValueKind::None},
    {"kernel_postinst", "the kernel hook run after a kernel is installed", {}, ValueKind::None},
    {"kernel_prerm", "the kernel hook run before a kernel is removed", {}, ValueKind::None},
    {"mkdeb", "a Debian source+binary package of a module (dkms-style)", {}, ValueKind::DkmsModule},
    {"mkbmdeb", "a Debian package of the built modules only", {}, ValueKind::DkmsModule},
    {"mkdsc", "a Debian source package of a module", {}, ValueKind::DkmsModule},
    {"mkrpm", "an RPM package of a module (DKMS 2.8's action)", {}, ValueKind::DkmsModule},
};

// The parts of kmod and abi; their options are their tools' tables.
constexpr Subcommand k_kmod_commands[] = {
    {"help", "show the help", {}, ValueKind::None},
    {"list", "list the loaded modules (lsmod)", {}, ValueKind::None},
    {"static-nodes",
     "the static device nodes of the running kernel's modules",
     {},
     ValueKind::None},
};

} // namespace

std::span<const OptionSpec> dkms_options() {
    return k_dkms_options;
}

std::span<const Subcommand> dkms_actions() {
    return k_dkms_actions;
}

std::span<const ToolOptions> all_tool_options() {
    static const Subcommand k_kmod[] = {
        k_kmod_commands[0],
        {k_kmod_commands[1].name, k_kmod_commands[1].help, lsmod_options()},
        {k_kmod_commands[2].name, k_kmod_commands[2].help, static_nodes_options()},
    };
    static const Subcommand k_abi[] = {
        {"check", "will these modules load into that kernel", abi_check_options(),
         ValueKind::ModuleOrFile},
        {"diff", "what changed between two kernels' exports", abi_diff_options(),
         ValueKind::KernelVersion},
    };
    static const Subcommand k_daemon[] = {
        {"status", "what the running daemon has loaded and unloaded", daemon_options()},
    };
    static const ToolOptions k_all[] = {
        {"modprobe", modprobe_options(), ValueKind::Module},
        {"insmod", insmod_options(), ValueKind::ModuleFile},
        {"rmmod", rmmod_options(), ValueKind::LoadedModule},
        {"lsmod", lsmod_options()},
        {"modinfo", modinfo_options(), ValueKind::ModuleOrFile},
        {"depmod", depmod_options(), ValueKind::KernelVersion},
        {"kmod", kmod_options(), ValueKind::None, k_kmod},
        {"dkms", dkms_options(), ValueKind::None, k_dkms_actions},
        {"explain", modprobe_options(), ValueKind::Module},
        {"abi", {}, ValueKind::None, k_abi},
        {"hw", hw_options()},
        {"params", params_options(), ValueKind::LoadedModule},
        {"preflight", preflight_options(), ValueKind::KernelVersion},
        {"weak-modules", weak_modules_options(), ValueKind::ModuleFile},
        {"modules-load", modules_load_options(), ValueKind::File},
        {"daemon", daemon_options(), ValueKind::None, k_daemon},
    };
    return k_all;
}

const ToolOptions* find_tool_options(std::string_view tool) {
    for (const ToolOptions& t : all_tool_options())
        if (t.tool == tool) return &t;
    return nullptr;
}

} // namespace modkit::cli
