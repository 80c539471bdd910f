// The running kernel's module state and the single-module syscalls, reached through the
// executor: cli/ and libkmod/ include this, never kernel/. Each name is kernel/'s function (one
// implementation, with libkmod's parsing rules and messages); see kernel/module_state.hpp,
// kernel/insert.hpp and kernel/remove.hpp for what they read and return.
#pragma once

#include "exec/system.hpp"
#include "kernel/insert.hpp"
#include "kernel/module_state.hpp"
#include "kernel/remove.hpp"

namespace modkit::exec {

using kernel::LogFn;

using kernel::holders;
using kernel::InitState;
using kernel::initstate;
using kernel::initstate_name;
using kernel::kernel_compression;
using kernel::loaded_modules;
using kernel::LoadedModule;
using kernel::module_size;
using kernel::refcnt;
using kernel::Section;
using kernel::sections;

using kernel::insert_module;
using kernel::k_insert_force_modversion;
using kernel::k_insert_force_vermagic;
using kernel::k_remove_force;
using kernel::k_remove_nolog;
using kernel::remove_module;

} // namespace modkit::exec
