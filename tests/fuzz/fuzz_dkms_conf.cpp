// libFuzzer target for the native half of dkms.conf reading: conf_from_vars() (defaults,
// validation, BUILD_EXCLUSIVE_* with POSIX regexes and DKMS's version comparison, MAKE_MATCH
// and PATCH_MATCH, STRIP, the yes/no directives), the kernel .config parser, and the MAKE
// rewrite. bash itself evaluates dkms.conf (src/dkms/conf_eval.hpp), so the input here is
// what bash would hand back:
//   line 1: the kernel version; line 2: the architecture;
//   then NAME=value or NAME[index]=value lines, up to a line "#config";
//   then the target kernel's .config (absent without the "#config" line).
// Checked: no crash; an accepted conf has a name, a version and, for every module, a built
// and a destination name; the version comparison is antisymmetric.
#include "dkms/compare.hpp"
#include "dkms/conf.hpp"
#include "dkms/conf_eval.hpp"
#include "dkms/kconfig.hpp"
#include "dkms/report.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

using namespace modkit;

namespace {

class NullReport final : public dkms::Report {
public:
    void out(std::string_view) override {}
    void err(std::string_view) override {}
};

std::string_view next_line(std::string_view& rest) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    return line;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(bytes), size);
    dkms::ConfRequest request;
    request.module = "fuzz";
    request.module_version = "1.0";
    request.conf_path = "/usr/src/fuzz-1.0/dkms.conf";
    request.strict = true;
    request.target.kernelver = std::string(next_line(rest).substr(0, 128));
    request.target.arch = std::string(next_line(rest).substr(0, 32));
    request.target.kernel_source_dir = "/lib/modules/" + request.target.kernelver + "/build";

    dkms::EvalResult evaluated;
    std::optional<dkms::KernelConfig> kconfig;
    while (!rest.empty()) {
        std::string_view line = next_line(rest);
        if (line == "#config") {
            kconfig = dkms::KernelConfig::parse(rest);
            break;
        }
        size_t eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        std::string_view name = line.substr(0, eq);
        long long index = 0;
        if (size_t br = name.find('['); br != std::string_view::npos && name.back() == ']') {
            std::string digits(name.substr(br + 1, name.size() - br - 2));
            index = std::strtoll(digits.c_str(), nullptr, 10) % 64;
            name = name.substr(0, br);
        }
        evaluated.vars.set(std::string(name), index, std::string(line.substr(eq + 1)));
    }

    dkms::Context ctx;
    ctx.running_distribution = "debian";
    NullReport report;
    auto conf =
        dkms::conf_from_vars(ctx, request, evaluated, kconfig ? &*kconfig : nullptr, report);
    if (conf) {
        if (conf->package_name.empty() || conf->package_version.empty()) __builtin_trap();
        for (const auto& m : conf->modules)
            if (m.built_name.empty() || m.dest_name.empty()) __builtin_trap();
        std::string make =
            dkms::rewrite_make_command(conf->make_command, "4", request.target.kernelver);
        if (make.empty()) __builtin_trap();
    }
    for (const char* n :
         {"BUILD_EXCLUSIVE_KERNEL_MIN", "BUILD_EXCLUSIVE_KERNEL_MAX", "OBSOLETE_BY"}) {
        const std::string& v = evaluated.vars.get(n);
        if (dkms::ver_compare(request.target.kernelver, v) !=
            -dkms::ver_compare(v, request.target.kernelver))
            __builtin_trap();
    }
    return 0;
}
