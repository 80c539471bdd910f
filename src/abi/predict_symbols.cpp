// The symbol phase of a prediction: every undefined symbol resolved against the target's
// exports the way resolve_symbol() does (find, GPL-only, CRC, namespace), then the modules the
// module needs. Many failures of one kind are folded into one finding with a count.
#include "abi/predict_detail.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace modkit::abi::detail {
namespace {

constexpr size_t k_listed = 8; // symbols named in a folded finding

bool is_ignored_undefined(std::string_view name) {
    return name == "_GLOBAL_OFFSET_TABLE_" || name.starts_with(".TOC.") || name == "TOC.";
}

// A "module:" namespace (EXPORT_SYMBOL_GPL_FOR_MODULES, Linux 6.12+) names the modules that
// may use the symbol without importing anything: a comma-separated list, a pattern ending in
// '*' matching any name it starts, '-' and '_' the same.
bool module_namespace_allows(std::string_view ns, std::string_view modname) {
    if (!ns.starts_with("module:")) return false;
    ns.remove_prefix(7);
    auto same = [](char a, char b) {
        return a == b || ((a == '-' || a == '_') && (b == '-' || b == '_'));
    };
    for (auto pattern : util::split(ns, ',')) {
        bool glob = pattern.ends_with('*');
        if (glob) pattern.remove_suffix(1);
        if (pattern.size() > modname.size() || (!glob && pattern.size() != modname.size()))
            continue;
        if (std::equal(pattern.begin(), pattern.end(), modname.begin(), same)) return true;
    }
    return false;
}

// Folds runs of findings of one kind: keeps the first, counts the rest.
void fold(std::vector<Finding>& findings, size_t from, bool already_refused) {
    std::map<FindingKind, std::vector<size_t>> by_kind;
    for (size_t i = from; i < findings.size(); ++i)
        by_kind[findings[i].kind].push_back(i);
    std::vector<Finding> out(findings.begin(), findings.begin() + static_cast<ptrdiff_t>(from));
    for (size_t i = from; i < findings.size(); ++i) {
        const auto& same = by_kind[findings[i].kind];
        if (same.front() != i) continue;
        size_t limit = already_refused ? 1 : k_listed;
        if (same.size() <= limit && !(already_refused && same.size() > 1)) {
            for (size_t j : same)
                out.push_back(std::move(findings[j]));
            continue;
        }
        std::string names;
        for (size_t k = 0; k < same.size() && k < k_listed; ++k)
            names += (k ? ", " : "") + findings[same[k]].symbol;
        if (same.size() > k_listed) names += ", …";
        Finding f = std::move(findings[i]);
        f.count = static_cast<unsigned>(same.size());
        f.message = std::to_string(same.size()) + " symbols: " + names + " (" +
                    std::string(finding_kind_name(f.kind)) + "; the first: " + f.message + ")";
        out.push_back(std::move(f));
    }
    findings = std::move(out);
}

} // namespace

void Checker::check_symbols() {
    const ExportTable* exports = m_target.exports();
    if (exports == nullptr) {
        add(FindingKind::NotChecked, Effect::Note,
            "symbols not checked: " + m_target.release() + "'s exports are unknown");
        return;
    }
    const bool refused_before =
        std::any_of(m_out.findings.begin(), m_out.findings.end(),
                    [](const Finding& f) { return f.effect == Effect::Refuse; });
    const size_t first = m_out.findings.size();
    std::set<std::string_view> imported;
    for (const auto& e : m_modinfo)
        if (e.key == "import_ns") imported.insert(e.value);
    const bool tree_known = !m_target.modules().empty();
    const LoaderConfig& l = m_target.loader();
    std::set<std::string> needs;
    bool warned_no_version = false;

    const elf::ElfFile& elf = m_mod.elf();
    auto table = elf.symbol_table();
    if (!table) return;
    const std::string unknown_prefix = m_name + ": Unknown symbol ";
    for (size_t i = 1; i < table->count; ++i) {
        auto sym = elf.symbol(*table, i);
        if (!sym || sym->shndx != elf::k_shn_undef || sym->name.empty()) continue;
        if (is_ignored_undefined(sym->name)) continue;
        std::string name(sym->name);
        const ExportedSymbol* e = exports->find(name);
        std::string owner;
        if (e != nullptr && e->owner != "vmlinux") {
            owner = owner_module_name(e->owner);
            if (tree_known && !m_target.has_module(owner) && !m_target.is_builtin(owner)) {
                if (sym->bind() == elf::k_stb_weak) continue;
                add(FindingKind::UnknownSymbol, Effect::Refuse,
                    "needs " + name + ", exported by module " + owner + ", which " +
                        m_target.release() + " does not have",
                    unknown_prefix + name + " (err -2)", ENOENT, 0, name);
                m_symbol_error = ENOENT;
                continue;
            }
        }
        if (e == nullptr) {
            if (sym->bind() == elf::k_stb_weak) continue;
            add(FindingKind::UnknownSymbol, Effect::Refuse,
                "needs " + name + ", which neither " + m_target.release() +
                    " nor any of its modules exports",
                unknown_prefix + name + " (err -2)", ENOENT, 0, name);
            m_symbol_error = ENOENT;
            continue;
        }
        if (e->gpl_only && !m_gpl) {
            add(FindingKind::GplOnlySymbol, Effect::Refuse,
                "uses GPL-only symbol " + name + " but is not GPL-licensed",
                unknown_prefix + name + " (err -2)", ENOENT, 0, name);
            m_symbol_error = ENOENT;
            continue;
        }
        if (l.modversions && e->has_crc && m_versions.source != module::VersionSource::None) {
            const module::VersionEntry* mine = version_of(name);
            if (mine == nullptr) {
                if (!warned_no_version)
                    add(FindingKind::NoSymbolVersion, Effect::Note,
                        "has no symbol version for " + name + " (the kernel warns once)",
                        m_name + ": no symbol version for " + name, 0, 0, name);
                warned_no_version = true;
            } else if (static_cast<uint32_t>(mine->crc) != e->crc) {
                add(FindingKind::CrcMismatch, Effect::Refuse,
                    name + " has CRC " + hex32(mine->crc) + " in the module but " + hex32(e->crc) +
                        " in " + m_target.release(),
                    m_name + ": disagrees about version of symbol " + name, EINVAL, 0, name);
                m_symbol_error = EINVAL;
                continue;
            }
        }
        if (!e->name_space.empty() && !imported.contains(e->name_space) &&
            !module_namespace_allows(e->name_space, m_name)) {
            std::string kmsg = m_name + ": module uses symbol (" + name + ") from namespace " +
                               e->name_space + ", but does not import it.";
            if (l.missing_ns_allowed) {
                add(FindingKind::NamespaceNotImported, Effect::Note, kmsg, kmsg, 0, 0, name);
            } else {
                add(FindingKind::NamespaceNotImported, Effect::Refuse,
                    "uses " + name + " from namespace " + e->name_space +
                        " without MODULE_IMPORT_NS(" + e->name_space + ")",
                    kmsg, EINVAL, 0, name);
                m_symbol_error = EINVAL;
                continue;
            }
        }
        if (!owner.empty()) needs.insert(owner);
    }
    if (m_fold == Fold::Yes) fold(m_out.findings, first, refused_before);
    for (const auto& m : needs)
        add(FindingKind::NeedsModule, Effect::Note,
            "uses symbols of " + m + ", which modprobe loads first", {}, 0, 0, m);
}

void Checker::check_dependencies() {
    if (m_target.is_builtin(m_name))
        add(FindingKind::BuiltIn, Effect::Note,
            m_name + " is built into " + m_target.release() +
                ": modprobe does nothing, insmod fails (File exists)");
    auto depends = modinfo("depends");
    if (!depends || depends->empty() || m_target.modules().empty()) return;
    for (auto dep : util::split(*depends, ',')) {
        if (dep.empty()) continue;
        std::string name = normalize_module_name(dep);
        if (m_target.has_module(name) || m_target.is_builtin(name)) continue;
        bool no_symbols = m_target.exports() == nullptr;
        add(FindingKind::MissingDependency, no_symbols ? Effect::Refuse : Effect::Note,
            "depends on " + name + ", which " + m_target.release() + " does not have", {},
            no_symbols ? ENOENT : 0, 0, name);
    }
}

} // namespace modkit::abi::detail
