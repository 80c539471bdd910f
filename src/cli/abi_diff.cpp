// `modkit abi diff OLD NEW`: what changed between the exports of two kernels, and what it
// breaks. OLD and NEW are each a Module.symvers (plain or .gz), a module directory or an
// installed kernel's release.
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "abi/diff.hpp"
#include "abi/kernel_target.hpp"
#include "abi/stablelist.hpp"
#include "abi/target_files.hpp"
#include "module/module_file.hpp"
#include "util/atomic_file.hpp"
#include "util/diag.hpp"
#include "util/json.hpp"
#include "util/output.hpp"
#include "util/parallel.hpp"

#include "util/fs.hpp"
#include <algorithm>
#include <cstdio>

namespace modkit::cli {
namespace {

void diff_help() {
    util::Output::write(
        "Usage: modkit abi diff [options] OLD NEW\n"
        "Exported symbols added, removed and changed (CRC, GPL-only, namespace) from OLD to NEW,\n"
        "grouped by module, and the out-of-tree modules each breaking change breaks. OLD and NEW\n"
        "are each a Module.symvers (or symvers.gz), a module directory or a kernel release.\n"
        "Options:\n"
        "  -b, --basedir ROOT        look for kernel releases' files under ROOT\n"
        "      --stablelist FILE     only breaks of the symbols listed (kabi_stablelist format);\n"
        "                            repeatable\n"
        "      --modules PATH        out-of-tree modules to check (a file or a directory);\n"
        "                            repeatable. Default: OLD's updates/, extra/, weak-updates/\n"
        "      --breaking            list only the changes that break modules\n"
        "      --json                print JSON (docs/json.md)\n"
        "  -h, --help                show this help\n"
        "Exit status: 0 nothing breaks, 1 a change breaks modules built against OLD, 2 error.\n");
}

struct Side {
    abi::ExportTable table;
    std::string module_dir; // when given as a tree or a release
};

util::Expected<Side> load_side(const std::string& arg, const std::string& root) {
    Side side;
    if (!util::is_directory(arg) && util::target_exists(arg)) {
        auto symvers = abi::load_symvers_file(arg);
        if (!symvers) return util::fail(std::move(symvers.error()));
        // A kernel without CONFIG_MODVERSIONS writes 0x00000000 for every CRC (Debian's 7.2).
        bool crcs = std::any_of(symvers->entries().begin(), symvers->entries().end(),
                                [](const abi::SymversEntry& e) { return e.crc != 0; });
        side.table = abi::ExportTable::from_symvers(*symvers, crcs);
        return side;
    }
    abi::TargetOptions o;
    o.root = root;
    o.want_keys = false;
    if (util::is_directory(arg))
        o.tree = arg;
    else
        o.release = arg;
    auto t = abi::KernelTarget::load(o);
    if (!t) return util::fail(std::move(t.error()));
    if (t->exports() == nullptr)
        return util::fail(util::ErrorKind::NotFound, ENOENT, arg,
                          "no Module.symvers and no kernel image with a module tree to read "
                          "exports from");
    side.table = *t->exports();
    side.module_dir = t->module_dir();
    return side;
}

void collect(const std::string& path, std::vector<std::string>& out) {
    if (!util::is_directory(path)) {
        if (util::target_exists(path)) out.push_back(path);
        return;
    }
    abi::TreeListing t = abi::list_tree(path);
    for (const auto& [name, rel] : t.modules)
        out.push_back(path + "/" + rel);
}

std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

std::string describe_change(const abi::SymbolChange& c) {
    std::vector<std::string> parts;
    if (c.crc_changed) parts.push_back("CRC " + hex(c.old->crc) + " -> " + hex(c.now->crc));
    if (c.gpl_changed) parts.push_back(c.now->gpl_only ? "now GPL-only" : "no longer GPL-only");
    if (c.namespace_changed)
        parts.push_back("namespace \"" + c.old->name_space + "\" -> \"" + c.now->name_space + "\"");
    if (c.owner_changed) parts.push_back("moved from " + c.old->owner);
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : ", ") + p;
    return out;
}

std::string text(const abi::DiffResult& r, bool only_breaking) {
    std::string out, owner;
    for (const auto& c : r.changes) {
        if (only_breaking && !(c.breaking && c.listed)) continue;
        if (c.owner != owner) {
            owner = c.owner;
            out += owner + ":\n";
        }
        const char* mark = c.kind == abi::ChangeKind::Added     ? "  + "
                           : c.kind == abi::ChangeKind::Removed ? "  - "
                                                                : "  ~ ";
        out += mark + c.symbol;
        if (c.kind == abi::ChangeKind::Changed) out += ": " + describe_change(c);
        if (c.breaking && c.listed) out += "  [breaks]";
        out += "\n";
        for (const auto& m : c.breaks)
            out += "      breaks " + m + "\n";
    }
    out += std::to_string(r.old_count) + " -> " + std::to_string(r.new_count) +
           " symbols: " + std::to_string(r.added) + " added, " + std::to_string(r.removed) +
           " removed, " + std::to_string(r.changed) + " changed; " + std::to_string(r.breaking) +
           " breaking\n";
    for (const auto& [path, syms] : r.broken_modules)
        out += "broken: " + path + " (" + std::to_string(syms.size()) + " symbol" +
               (syms.size() == 1 ? "" : "s") + ")\n";
    return out;
}

void json_symbol(util::JsonWriter& w, const char* key, const abi::ExportedSymbol& s) {
    w.key(key).begin_object();
    w.key("crc");
    if (s.has_crc)
        w.value(hex(s.crc));
    else
        w.null();
    w.field("gpl_only", s.gpl_only).field("namespace", s.name_space).field("owner", s.owner);
    w.end_object();
}

std::string json(const abi::DiffResult& r, const std::string& old_arg, const std::string& new_arg,
                 bool only_breaking) {
    util::JsonWriter w;
    w.begin_object();
    w.key("old").begin_object().field("source", old_arg).field("count", r.old_count).end_object();
    w.key("new").begin_object().field("source", new_arg).field("count", r.new_count).end_object();
    w.key("changes").begin_array();
    for (const auto& c : r.changes) {
        if (only_breaking && !(c.breaking && c.listed)) continue;
        w.begin_object();
        w.field("symbol", c.symbol).field("owner", c.owner);
        w.field("change", c.kind == abi::ChangeKind::Added     ? "added"
                          : c.kind == abi::ChangeKind::Removed ? "removed"
                                                               : "changed");
        if (c.old) json_symbol(w, "old", *c.old);
        if (c.now) json_symbol(w, "new", *c.now);
        w.field("breaking", c.breaking && c.listed);
        w.string_array("breaks", c.breaks);
        w.end_object();
    }
    w.end_array();
    w.key("broken_modules").begin_array();
    for (const auto& [path, syms] : r.broken_modules) {
        w.begin_object().field("path", path).string_array("symbols", syms).end_object();
    }
    w.end_array();
    w.key("summary").begin_object();
    w.field("added", r.added).field("removed", r.removed).field("changed", r.changed);
    w.field("breaking", r.breaking);
    w.end_object();
    w.end_object();
    return w.take();
}

enum { k_stablelist = 256, k_modules, k_json, k_breaking };
constexpr OptionSpec k_options[] = {
    {'b', "basedir", 'b', ValueKind::Directory, "look for kernel releases' files under ROOT"},
    {k_stablelist, "stablelist", 0, ValueKind::File, "only breaks of the symbols listed"},
    {k_modules, "modules", 0, ValueKind::File, "out-of-tree modules to check (file or directory)"},
    {k_breaking, "breaking", 0, ValueKind::None, "list only the changes that break modules"},
    {k_json, "json", 0, ValueKind::None, "print JSON (docs/json.md)"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

} // namespace

std::span<const OptionSpec> abi_diff_options() {
    return k_options;
}

int abi_diff_main(int argc, char** argv) {
    std::string root = "/";
    std::vector<std::string> stablelists, module_args;
    bool json_out = false, only_breaking = false;
    optind = 0;
    OptionParser parser(k_options);
    for (int c; (c = parser.next(argc, argv)) != -1;) {
        switch (c) {
        case 'b':
            root = parser.value();
            break;
        case k_stablelist:
            stablelists.push_back(parser.value());
            break;
        case k_modules:
            module_args.push_back(parser.value());
            break;
        case k_breaking:
            only_breaking = true;
            break;
        case k_json:
            json_out = true;
            break;
        case 'h':
            diff_help();
            return 0;
        default:
            util::Diag::raw("Try 'modkit abi diff --help'.\n");
            return 2;
        }
    }
    if (argc - optind != 2) {
        util::Diag::error("give two kernels: OLD NEW");
        return 2;
    }
    std::string old_arg = argv[optind], new_arg = argv[optind + 1];
    std::optional<abi::Stablelist> stablelist;
    for (const auto& f : stablelists) {
        auto l = abi::Stablelist::load(f);
        if (!l) {
            util::Diag::error(l.error().describe());
            return 2;
        }
        if (stablelist)
            stablelist->merge(*l);
        else
            stablelist = std::move(*l);
    }
    auto old_side = load_side(old_arg, root);
    if (!old_side) {
        util::Diag::error(old_side.error().describe());
        return 2;
    }
    auto new_side = load_side(new_arg, root);
    if (!new_side) {
        util::Diag::error(new_side.error().describe());
        return 2;
    }
    std::vector<std::string> paths;
    if (module_args.empty() && !old_side->module_dir.empty()) {
        for (const char* sub : {"/updates", "/extra", "/weak-updates"})
            collect(old_side->module_dir + sub, paths);
    }
    for (const auto& m : module_args)
        collect(m, paths);
    auto uses = util::parallel_map(paths.size(), util::default_jobs(),
                                   [&](size_t i) { return abi::module_use(paths[i]); });
    std::vector<abi::ModuleUse> modules;
    for (size_t i = 0; i < uses.size(); ++i) {
        if (!uses[i]) {
            util::Diag::error(uses[i].error().describe());
            return 2;
        }
        modules.push_back(std::move(*uses[i]));
    }
    abi::DiffResult r = abi::diff_exports(old_side->table, new_side->table,
                                          stablelist ? &*stablelist : nullptr, modules);
    util::Output::write(json_out ? json(r, old_arg, new_arg, only_breaking)
                                 : text(r, only_breaking));
    return r.breaking > 0 ? 1 : 0;
}

} // namespace modkit::cli
