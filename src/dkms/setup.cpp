// load_environment, check_command_line and targets_for: the part of dkms.in between the start
// of the program and its final `case "$action"`.
#include "dkms/setup.hpp"

#include "exec/system.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace modkit::dkms {

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
}

bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// The weight of a non-digit character in a version comparison: letters by their code, '~'
// before everything (even the end), other characters after all letters.
int weight(std::string_view s, size_t i) {
    if (i >= s.size()) return 0;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isalpha(c) != 0) return c;
    if (c == '~') return -1;
    return c + 256;
}

// Alternating non-digit and digit runs, the former by weight, the latter as numbers.
int compare_runs(std::string_view a, std::string_view b) {
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
            int wa = i < a.size() && is_digit(a[i]) ? 0 : weight(a, i);
            int wb = j < b.size() && is_digit(b[j]) ? 0 : weight(b, j);
            if (wa != wb) return wa - wb;
            ++i, ++j;
        }
        while (i < a.size() && a[i] == '0')
            ++i;
        while (j < b.size() && b[j] == '0')
            ++j;
        int first = 0;
        while (i < a.size() && is_digit(a[i]) && j < b.size() && is_digit(b[j])) {
            if (first == 0) first = a[i] - b[j];
            ++i, ++j;
        }
        if (i < a.size() && is_digit(a[i])) return 1;
        if (j < b.size() && is_digit(b[j])) return -1;
        if (first != 0) return first;
    }
    return 0;
}

// The length of s without its file suffix: trailing (\.[A-Za-z~][A-Za-z0-9~]*)*.
size_t without_suffix(std::string_view s) {
    size_t end = s.size();
    size_t pos = s.size();
    while (pos > 0) {
        size_t dot = s.rfind('.', pos - 1);
        if (dot == std::string_view::npos || dot + 1 >= pos) break;
        std::string_view part = s.substr(dot + 1, pos - dot - 1);
        bool ok = std::isalpha(static_cast<unsigned char>(part[0])) != 0 || part[0] == '~';
        for (char c : part)
            ok = ok && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '~');
        if (!ok) break;
        end = pos = dot;
    }
    return end;
}

// Every kernel/arch the module is built for, as DKMS's `--all` lists them.
std::vector<KernelArch> all_built(const Context& ctx, const CommandLine& cmd) {
    Tree tree{ctx};
    struct Record {
        std::string line;
        KernelArch target;
    };
    std::vector<Record> records;
    for (auto& ka : tree.built_for(cmd.module, cmd.version)) {
        if (!tree.is_built(cmd.module, cmd.version, ka.kernel, ka.arch)) continue;
        bool installed = tree.is_installed(cmd.module, cmd.version, ka.kernel, ka.arch);
        std::string line = std::string(installed ? "installed " : "built ") + cmd.module + "/" +
                           cmd.version + "/" + ka.kernel + "/" + ka.arch;
        records.push_back({std::move(line), ka});
    }
    std::stable_sort(records.begin(), records.end(), [](const Record& a, const Record& b) {
        return version_sort_less(a.line, b.line);
    });
    std::vector<KernelArch> out;
    for (auto& r : records)
        out.push_back(std::move(r.target));
    return out;
}

} // namespace

bool version_sort_less(std::string_view a, std::string_view b) {
    if (a == b) return false;
    std::string_view pa = a.substr(0, without_suffix(a)), pb = b.substr(0, without_suffix(b));
    int c = compare_runs(pa, pb);
    if (c == 0) c = compare_runs(a, b);
    if (c == 0) c = a.compare(b);
    return c < 0;
}

Outcome load_environment(Context& ctx) {
    ctx.parallel_jobs = env("parallel_jobs");
    ctx.sign_file = env("sign_file");
    ctx.mok_signing_key = env("mok_signing_key");
    ctx.mok_certificate = env("mok_certificate");
    ctx.try_sign_modules = env("try_sign_modules");
    ctx.post_transaction = env("post_transaction");
    ctx.modprobe_on_install = !env("modprobe_on_install").empty();
    ctx.autoinstall_all_kernels = !env("autoinstall_all_kernels").empty();
    ctx.addon_modules_dir = env("ADDON_MODULES_DIR");
    if (!env("TMPDIR").empty()) ctx.tmp_location = env("TMPDIR");
    exec::System& sys = exec::real_system();
    ctx.current_kernel = sys.kernel_release();
    ctx.machine = sys.machine();
    ctx.current_os = "Linux"; // uname -s wherever modkit's module syscalls exist
    auto distro = detect_distribution();
    if (!distro) return die(exit_code::k_no_os_release, {"System is missing os-release file."});
    ctx.running_distribution = *distro;
    return {};
}

Outcome check_command_line(Context& ctx, const CommandLine& cmd) {
    if (ctx.binaries_only && ctx.source_only)
        return die(
            exit_code::k_bad_conf,
            {"You have specified both --binaries-only and --source-only.", "You cannot do this."});
    if (cmd.kernels.size() != cmd.arches.size() && cmd.arches.size() > 1)
        return die(exit_code::k_generic,
                   {"If more than one arch is specified on the command line, then there",
                    "must be an equal number of kernel versions also specified (1:1 "
                    "relationship)."});
    if (!cmd.kernels.empty() && ctx.all)
        return die(exit_code::k_usage, {"You cannot specify a kernel version and also specify",
                                        "--all on the command line."});
    if (!cmd.arches.empty() && ctx.all)
        return die(exit_code::k_exists,
                   {"You cannot specify an arch and also specify", "--all on the command line."});
    if (ctx.parallel_jobs.empty()) ctx.parallel_jobs = std::to_string(util::default_jobs());
    if (ctx.parallel_jobs == "0") ctx.parallel_jobs.clear();
    if (util::starts_with(cmd.action, "kernel_")) {
        if (ctx.all)
            return die(exit_code::k_banned,
                       {"The action " + cmd.action + " does not support the --all parameter."});
        if (cmd.kernels.size() != 1)
            return die(exit_code::k_one_kernel,
                       {"The action " + cmd.action +
                        " requires exactly one kernel version parameter on the command line."});
    }
    return {};
}

std::expected<std::vector<KernelArch>, Failure> targets_for(const Context& ctx,
                                                            const CommandLine& cmd) {
    std::vector<std::string> kernels = cmd.kernels, arches = cmd.arches;
    bool status = cmd.action == "status";
    if (ctx.all && !status) {
        for (auto& ka : all_built(ctx, cmd)) {
            kernels.push_back(ka.kernel);
            arches.push_back(ka.arch);
        }
    }
    if (!status) {
        if (kernels.empty() && !ctx.all) kernels.push_back(ctx.current_kernel);
        if (arches.empty()) arches.push_back(ctx.machine);
    }
    if (arches.size() == 1)
        while (arches.size() < kernels.size())
            arches.push_back(arches[0]);
    if (!status) {
        for (size_t i = 0; i < kernels.size(); ++i)
            if (kernels[i].empty())
                return die(exit_code::k_empty_kernel,
                           {"Empty kernelver[" + std::to_string(i) + "]"});
        for (size_t i = 0; i < arches.size(); ++i)
            if (arches[i].empty())
                return die(exit_code::k_empty_kernel, {"Empty arch[" + std::to_string(i) + "]"});
    }
    std::vector<KernelArch> out;
    for (size_t i = 0; i < kernels.size(); ++i)
        out.push_back({kernels[i], i < arches.size() ? arches[i] : std::string()});
    return out;
}

} // namespace modkit::dkms
