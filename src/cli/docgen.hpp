// Shell completions and the man pages' option lists, generated from the option tables
// (cli/option_table.hpp) the parsers run on, so neither can drift from what a tool accepts.
// The build runs them through modkit-docgen (src/cli/docgen_main.cpp).
#pragma once

#include "cli/option_table.hpp"

#include <string>
#include <string_view>

namespace modkit::cli {

// One script per shell, for `modkit` and every tool name.
std::string bash_completion();
std::string zsh_completion();
// fish loads completions per command: the script for `command` (modkit or a tool's name).
std::string fish_completion(std::string_view command);

// The OPTIONS section (and COMMANDS, for a tool with subcommands) of `tool`'s man page, in
// scdoc; empty when `tool` has no table.
std::string man_options(std::string_view tool);

// A man page source with every `@OPTIONS tool@` line replaced by man_options(tool); an
// unknown tool is an error (the message names it).
bool expand_man_source(std::string_view source, std::string& out, std::string& error);

// How an option is spelled on a man page or in --help: "-k, --kernel=KVER".
std::string option_synopsis(const OptionSpec& spec);

} // namespace modkit::cli
