// Every tool modkit provides, in one dispatch table: the name it answers to (as argv[0]
// basename or as "modkit <name>"), its entry point and one line of help.
#pragma once

#include "exec/system.hpp"

#include <span>
#include <string_view>

namespace modkit::cli {

using ToolMain = int (*)(int argc, char** argv);

struct Tool {
    std::string_view name;
    ToolMain main;
    std::string_view help;
};

std::span<const Tool> tools();
const Tool* find_tool(std::string_view name);

// The whole program: picks a tool from argv[0] or argv[1] and runs it.
int run(int argc, char** argv);

// The feature line shown by -V, after "kmod version N".
inline constexpr std::string_view k_kmod_compat_version = "34";
inline constexpr std::string_view k_features = "+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL";

// modprobe against a given system (the fake one in tests).
int modprobe_run(int argc, char** argv, exec::System& sys);

// Prints "kmod version 34" and the feature line, as kmod's tools do for -V.
int print_kmod_version();

int modinfo_main(int argc, char** argv);
int depmod_main(int argc, char** argv);
int insmod_main(int argc, char** argv);
int rmmod_main(int argc, char** argv);
int lsmod_main(int argc, char** argv);
int kmod_main(int argc, char** argv);
int modprobe_main(int argc, char** argv);
int dkms_main(int argc, char** argv);
int explain_main(int argc, char** argv);
int abi_main(int argc, char** argv);
int weak_modules_main(int argc, char** argv);
int hw_main(int argc, char** argv);
int preflight_main(int argc, char** argv);
int modules_load_main(int argc, char** argv);
int daemon_main(int argc, char** argv);
int params_main(int argc, char** argv);
// `modkit params` against a given system (the fake one in tests).
int params_run(int argc, char** argv, exec::System& sys);

// modules-load against a given system (the fake one in tests).
int modules_load_run(int argc, char** argv, kernel::System& sys);

} // namespace modkit::cli
