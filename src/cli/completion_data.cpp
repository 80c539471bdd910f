// Flattening the option tables for the completion generators.
#include "cli/completion_data.hpp"

namespace modkit::cli {

namespace {

void add_options(CompletionEntry& e, std::span<const OptionSpec> options) {
    for (const OptionSpec& o : options) {
        const bool takes = o.value != ValueKind::None;
        if (!o.long_name.empty()) {
            const std::string word = "--" + std::string(o.long_name);
            if (takes) e.values.emplace_back(word, o.value);
            if (!o.help.empty()) e.offered.push_back(takes ? word + "=" : word);
        }
        if (o.short_name != 0) {
            const std::string word = std::string("-") + o.short_name;
            if (takes) e.values.emplace_back(word, o.value);
            if (!o.help.empty()) e.offered.push_back(word);
        }
        if (!o.help.empty()) e.options.push_back(&o);
    }
}

} // namespace

std::vector<CompletionEntry> completion_entries() {
    std::vector<CompletionEntry> out;
    for (const ToolOptions& t : all_tool_options()) {
        CompletionEntry e;
        e.key = e.tool = std::string(t.tool);
        add_options(e, t.options);
        e.operands = t.operands;
        e.subcommands = t.subcommands;
        out.push_back(e);
        for (const Subcommand& s : t.subcommands) {
            CompletionEntry se;
            se.key = std::string(t.tool) + " " + std::string(s.name);
            se.tool = std::string(t.tool);
            se.sub = s.name;
            // A subcommand without options of its own takes the tool's (dkms's actions).
            add_options(se, s.options.empty() ? t.options : s.options);
            se.operands = s.operands;
            out.push_back(se);
        }
    }
    return out;
}

std::string_view kind_word(ValueKind kind) {
    switch (kind) {
    case ValueKind::None:
        return "";
    case ValueKind::File:
        return "file";
    case ValueKind::Directory:
        return "directory";
    case ValueKind::KernelVersion:
        return "kernel";
    case ValueKind::Module:
        return "module";
    case ValueKind::Number:
        return "number";
    case ValueKind::Word:
        return "word";
    case ValueKind::LoadedModule:
        return "loaded";
    case ValueKind::ModuleFile:
        return "modfile";
    case ValueKind::ModuleOrFile:
        return "module-or-file";
    case ValueKind::DkmsModule:
        return "dkms";
    case ValueKind::Arch:
        return "arch";
    }
    return "";
}

bool is_link_name(std::string_view tool) {
    for (std::string_view t : {"modprobe", "insmod", "rmmod", "lsmod", "modinfo", "depmod", "kmod",
                               "dkms", "weak-modules"})
        if (t == tool) return true;
    return false;
}

} // namespace modkit::cli
