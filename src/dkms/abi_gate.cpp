// check_abi: abi::ModuleChecker over the built modules, DKMS-style error lines.
#include "dkms/abi_gate.hpp"

#include "abi/module_check.hpp"

namespace modkit::dkms {

Outcome check_abi(const Context& ctx, const ConfTarget& target,
                  const std::vector<std::string>& modules, Report& report, int code) {
    abi::KernelLocation where{target.kernelver, target.kernel_source_dir,
                              ctx.install_tree + "/" + target.kernelver};
    auto checker = abi::ModuleChecker::open(where);
    if (!checker) {
        // Nothing to compare with (no headers, no module tree): say so, do not block.
        report.warning({"Cannot check that the modules were built for kernel " + target.kernelver +
                        ": " + checker.error().describe()});
        return {};
    }
    std::vector<std::string> lines;
    for (const auto& result : checker->check_all(modules)) {
        if (!result.problems) {
            lines.push_back(result.problems.error().describe());
            continue;
        }
        for (const auto& p : *result.problems)
            lines.push_back(p.message);
    }
    if (lines.empty()) return {};
    lines.push_back("Refusing to install modules that were not built for kernel " +
                    target.kernelver + " (use --skip-abi-check to override).");
    return die(code, std::move(lines));
}

} // namespace modkit::dkms
