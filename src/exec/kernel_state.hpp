// What the running kernel says about its modules, for the layers above exec/: initstate,
// reference count, holders, size, sections and the loaded list, read through a System with
// libkmod's rules and messages (kernel/module_state does the reading; this is the one door to
// it), and the removal of one module.
#pragma once

#include "exec/system.hpp"
#include "kernel/module_state.hpp"
#include "kernel/remove.hpp"

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::exec {

using kernel::InitState;
using kernel::initstate_name;
using kernel::LoadedModule;

// /sys/module/<name>/initstate; -errno when the module is not there (see kernel::initstate).
std::expected<InitState, int> initstate(System& sys, std::string_view name,
                                        const util::LogFn& log = {});
// Live, as opposed to coming, going or absent.
bool is_live(System& sys, std::string_view name);
// /sys/module/<name>/refcnt, or -errno.
int refcnt(System& sys, std::string_view name, const util::LogFn& log = {});
// The entries of /sys/module/<name>/holders, or -errno (logged).
std::expected<std::vector<std::string>, int> holders(System& sys, std::string_view name,
                                                     const util::LogFn& log = {});
// coresize, else the /proc/modules size; -errno when the module is not loaded.
long module_size(System& sys, std::string_view name, const util::LogFn& log = {});
// /sys/module/<name>/sections: name and address of each section, or -errno (logged).
using kernel::Section;
std::expected<std::vector<Section>, int> sections(System& sys, std::string_view name,
                                                  const util::LogFn& log = {});
// The devices bound to the drivers of module `name`: every directory entry of each
// /sys/module/<name>/drivers/<bus:driver>/ that is a device (a directory other than "module"),
// as "bus:driver/device". Empty when the module has no drivers or none is bound. A driver with
// a device is in use even at reference count 0 (a network card's driver, for one).
std::vector<std::string> bound_devices(System& sys, std::string_view name);
// /proc/modules in file order, names normalised as kmod_module_new_from_name does.
std::expected<std::vector<LoadedModule>, int> loaded_modules(System& sys,
                                                             const util::LogFn& log = {});

// delete_module(2) of one module (kmod_module_remove_module): O_NONBLOCK always, O_TRUNC with
// k_remove_force; a failure is logged unless k_remove_nolog. 0 or the kernel's -errno.
using kernel::k_remove_force;
using kernel::k_remove_nolog;
int remove_module(System& sys, const std::string& name, unsigned flags = 0,
                  const util::LogFn& log = {});

} // namespace modkit::exec
