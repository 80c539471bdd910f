// The option tables flattened for the completion generators: one entry per tool and per
// subcommand ("abi check"), with the words offered, the options that take a value and what
// that value is, and what the operands are.
#pragma once

#include "cli/option_table.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modkit::cli {

struct CompletionEntry {
    std::string key;                        // "modprobe", "abi check", "dkms build"
    std::string tool;                       // "abi"
    std::string_view sub;                   // "check", or empty
    std::vector<const OptionSpec*> options; // the offered ones (those with help)
    std::vector<std::string> offered;       // "--all", "-a", "--config=" (a value follows)
    std::vector<std::pair<std::string, ValueKind>> values; // every spelling that takes one
    ValueKind operands = ValueKind::None;
    std::span<const Subcommand> subcommands;
};

std::vector<CompletionEntry> completion_entries();

// The word the scripts use for a kind of value: "file", "kernel", "module"...; "" for none.
std::string_view kind_word(ValueKind kind);

// Whether the tool is also installed under its own name (modprobe -> modkit).
bool is_link_name(std::string_view tool);

} // namespace modkit::cli
