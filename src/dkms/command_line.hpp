// DKMS's command line (dkms.in's option loop): which options exist, how a long option is
// matched (a `case` glob: `--module*` takes `--modulex` too, as DKMS does), how a value is read
// (`-k K`, `-k=K`, `--kernelver=K`) and how a bare word becomes the action, a source tree, an
// archive or m/v. Parsing prints nothing: what DKMS prints while it parses comes back as events,
// in order, for the CLI to print.
#pragma once
#include "dkms/context.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::dkms {

// What the command line named.
struct CommandLine {
    std::string action;
    std::string module, version;
    std::vector<std::string> kernels, arches; // -k K[/A] and -a A, in order
    std::string source_path;                  // a source directory or a dkms.conf path
};

// What DKMS does while it parses, in order: a deprecation warning, `-q` (output goes to
// /dev/null from here on) or "I do not know how to handle".
struct ParseEvent {
    enum class Kind { Deprecated, Quiet, CannotHandle };
    Kind kind;
    std::string arg;
};

// Where parsing stopped early: --version, --help, an unknown option (usage, exit 2) or a second
// action (exit 4).
enum class ParseStop { None, Version, Help, UnknownOption, SecondAction };

struct ParseResult {
    CommandLine command;
    std::vector<ParseEvent> events;
    ParseStop stop = ParseStop::None;
    std::string stop_arg; // the unknown option
};

// Parses `args` (argv without the program name), setting the options that live in `ctx`.
ParseResult parse_command_line(std::span<const std::string> args, Context& ctx);

// Whether `word` is one of DKMS's actions (its action_re).
bool is_action(std::string_view word);

// Every action, and every option spelling the parser knows ("--kernelver", "-k"), in its
// order: the CLI's completion and man-page table is checked against them.
std::span<const std::string_view> actions();
std::vector<std::string_view> option_words();

} // namespace modkit::dkms
