// The kernel-state queries of exec/kernel_state.hpp, over kernel/module_state.
#include "exec/kernel_state.hpp"

#include "module/names.hpp"

namespace modkit::exec {

std::expected<InitState, int> initstate(System& sys, std::string_view name,
                                        const util::LogFn& log) {
    return kernel::initstate(sys, name, log);
}

bool is_live(System& sys, std::string_view name) {
    auto state = kernel::initstate(sys, name);
    return state && *state == InitState::Live;
}

int refcnt(System& sys, std::string_view name, const util::LogFn& log) {
    return kernel::refcnt(sys, name, log);
}

std::expected<std::vector<std::string>, int> holders(System& sys, std::string_view name,
                                                     const util::LogFn& log) {
    return kernel::holders(sys, name, log);
}

long module_size(System& sys, std::string_view name, const util::LogFn& log) {
    return kernel::module_size(sys, name, log);
}

std::expected<std::vector<Section>, int> sections(System& sys, std::string_view name,
                                                  const util::LogFn& log) {
    return kernel::sections(sys, name, log);
}

int remove_module(System& sys, const std::string& name, unsigned flags, const util::LogFn& log) {
    return kernel::remove_module(sys, name, flags, log);
}

std::vector<std::string> bound_devices(System& sys, std::string_view name) {
    std::vector<std::string> out;
    std::string base = "/sys/module/" + std::string(name) + "/drivers";
    auto drivers = sys.list_dir(base);
    if (!drivers) return out;
    for (const std::string& drv : *drivers) {
        auto entries = sys.list_dir(base + "/" + drv);
        if (!entries) continue;
        for (const std::string& e : *entries)
            if (e != "module" && sys.is_dir(base + "/" + drv + "/" + e))
                out.push_back(drv + "/" + e);
    }
    return out;
}

std::expected<std::vector<LoadedModule>, int> loaded_modules(System& sys, const util::LogFn& log) {
    auto list = kernel::loaded_modules(sys, log);
    if (list)
        for (LoadedModule& m : *list)
            m.name = module::modname_normalize(m.name);
    return list;
}

} // namespace modkit::exec
