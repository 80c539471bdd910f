// The loader's checks before symbol resolution (signature, ELF, module_layout, vermagic, the
// taints of .modinfo) and the verdict; the symbol phase is in predict_symbols.cpp.
#include "abi/predict.hpp"

#include "abi/predict_detail.hpp"
#include "module/modversions.hpp"
#include "module/sig_verify.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

#include "module/names.hpp"
#include <algorithm>
#include <cstdio>

namespace modkit::abi {

using detail::Checker;

std::string_view verdict_name(Verdict v) {
    switch (v) {
    case Verdict::Loads:
        return "loads";
    case Verdict::Taints:
        return "taints";
    case Verdict::Refused:
        return "refused";
    }
    return "?";
}

std::string_view finding_kind_name(FindingKind k) {
    static constexpr std::string_view k_names[] = {
        "signature-valid",
        "unsigned",
        "signature-unknown-key",
        "signature-unsupported",
        "signature-rejected",
        "signature-malformed",
        "signature-not-verified",
        "elf-mismatch",
        "not-a-module",
        "layout-mismatch",
        "no-versions",
        "no-vermagic",
        "vermagic-mismatch",
        "release-ignored",
        "out-of-tree",
        "staging",
        "proprietary",
        "livepatch",
        "unknown-symbol",
        "gpl-only-symbol",
        "crc-mismatch",
        "namespace-not-imported",
        "no-symbol-version",
        "needs-module",
        "missing-dependency",
        "built-in",
        "not-checked",
    };
    auto i = static_cast<size_t>(k);
    return i < std::size(k_names) ? k_names[i] : "?";
}

bool license_is_gpl_compatible(std::string_view license) {
    for (std::string_view ok : {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
                                "Dual MIT/GPL", "Dual MPL/GPL"})
        if (license == ok) return true;
    return false;
}

namespace detail {

std::string hex32(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v));
    return buf;
}

void Checker::add(FindingKind kind, Effect effect, std::string message, std::string kernel_message,
                  int error, char taint, std::string symbol) {
    m_out.findings.push_back({kind, effect, taint, error, std::move(symbol), std::move(message),
                              std::move(kernel_message), 1});
}

std::optional<std::string_view> Checker::modinfo(std::string_view key) const {
    for (const auto& e : m_modinfo)
        if (e.key == key) return e.value;
    return std::nullopt;
}

bool Checker::check_elf() {
    const elf::ElfFile& elf = m_mod.elf();
    const auto& want = m_target.elf_identity();
    auto describe = [](uint16_t machine, elf::ElfClass c, util::Endian e) {
        return "machine " + std::to_string(machine) + ", " +
               (c == elf::ElfClass::Elf64 ? "64" : "32") + "-bit " +
               (e == util::Endian::Little ? "little" : "big") + "-endian";
    };
    if (elf.type() != 1) {
        add(FindingKind::ElfMismatch, Effect::Refuse, "not a relocatable ELF object",
            "Invalid ELF header type: " + std::to_string(elf.type()) + " != 1", ENOEXEC);
        return false;
    }
    if (want && (elf.machine() != want->machine || elf.elf_class() != want->elf_class ||
                 elf.endian() != want->endian)) {
        add(FindingKind::ElfMismatch, Effect::Refuse,
            "built for another architecture (" +
                describe(elf.machine(), elf.elf_class(), elf.endian()) + "); " +
                m_target.release() + " loads " +
                describe(want->machine, want->elf_class, want->endian),
            "Invalid architecture in ELF header: " + std::to_string(elf.machine()), ENOEXEC);
        return false;
    }
    if (elf.find(".gnu.linkonce.this_module") == nullptr) {
        add(FindingKind::NotAModule, Effect::Refuse,
            "no .gnu.linkonce.this_module section: not a kernel module",
            "No module found in object", ENOEXEC);
        return false;
    }
    return true;
}

void Checker::check_layout() {
    if (!m_target.loader().modversions) return;
    if (m_versions.source == module::VersionSource::None) {
        if (m_target.loader().force_load)
            add(FindingKind::NoVersions, Effect::Taint,
                "no symbol versions (__versions): " + m_target.release() +
                    " has CONFIG_MODVERSIONS and loads it as forced",
                m_name + ": module_layout: kernel tainted.", 0, 'F');
        else
            add(FindingKind::NoVersions, Effect::Refuse,
                "no symbol versions (__versions), and " + m_target.release() +
                    " has CONFIG_MODVERSIONS without CONFIG_MODULE_FORCE_LOAD",
                "", ENOEXEC);
        return;
    }
    const ExportTable* exports = m_target.exports();
    const ExportedSymbol* layout = exports ? exports->find("module_layout") : nullptr;
    if (layout == nullptr || !layout->has_crc) return;
    const module::VersionEntry* mine = version_of("module_layout");
    if (mine == nullptr) return; // "no symbol version for module_layout": a warning only
    if (static_cast<uint32_t>(mine->crc) != layout->crc)
        add(FindingKind::LayoutMismatch, Effect::Refuse,
            "built against another kernel build: module_layout has CRC " + hex32(mine->crc) +
                " in the module but " + hex32(layout->crc) + " in " + m_target.release(),
            m_name + ": disagrees about version of symbol module_layout", ENOEXEC, 0,
            "module_layout");
}

void Checker::check_vermagic() {
    auto have = modinfo("vermagic");
    if (!have) {
        if (m_target.loader().force_load)
            add(FindingKind::NoVermagic, Effect::Taint,
                "no vermagic: " + m_target.release() + " loads it as forced",
                m_name + ": bad vermagic: kernel tainted.", 0, 'F');
        else
            add(FindingKind::NoVermagic, Effect::Refuse, "no vermagic", "", ENOEXEC);
        return;
    }
    const std::string& want = m_target.vermagic();
    if (want.empty()) return;
    bool has_crcs = m_versions.source != module::VersionSource::None;
    bool skip_release = m_target.loader().modversions && has_crcs;
    std::string_view a = *have, b = want;
    if (skip_release) {
        a.remove_prefix(std::min(a.find(' '), a.size()));
        b.remove_prefix(std::min(b.find(' '), b.size()));
    }
    if (a != b) {
        add(FindingKind::VermagicMismatch, Effect::Refuse,
            "vermagic \"" + std::string(*have) + "\" does not match " + m_target.release() +
                "'s \"" + want + "\"" + (skip_release ? " (the release is not compared)" : ""),
            m_name + ": version magic '" + std::string(*have) + "' should be '" + want + "'",
            ENOEXEC);
        return;
    }
    if (util::first_word(*have) != util::first_word(want))
        add(FindingKind::ReleaseIgnored, Effect::Note,
            "built for release " + std::string(util::first_word(*have)) +
                "; the kernel does not compare the release of a module with symbol versions");
}

void Checker::check_modinfo_taints() {
    if (!modinfo("intree"))
        add(FindingKind::OutOfTree, Effect::Taint, "out-of-tree module (no intree flag)",
            m_name + ": loading out-of-tree module taints kernel.", 0, 'O');
    if (auto s = modinfo("staging"); s && *s == "Y")
        add(FindingKind::Staging, Effect::Taint, "staging driver",
            m_name + ": module is from the staging directory, the quality is unknown, you have "
                     "been warned.",
            0, 'C');
    std::string license(modinfo("license").value_or("unspecified"));
    m_gpl = license_is_gpl_compatible(license);
    if (!m_gpl)
        add(FindingKind::Proprietary, Effect::Taint,
            "license \"" + license + "\" is not GPL-compatible",
            m_name + ": module license '" + license + "' taints kernel.", 0, 'P');
    if (auto s = modinfo("livepatch"); s && *s == "Y")
        add(FindingKind::Livepatch, Effect::Taint, "live patch",
            m_name + ": tainting kernel with TAINT_LIVEPATCH", 0, 'K');
}

const module::VersionEntry* Checker::version_of(std::string_view symbol) const {
    for (const auto& v : m_versions.entries)
        if (v.name == symbol) return &v;
    return nullptr;
}

Pending Checker::run() {
    m_out.path = m_mod.path();
    auto this_name = m_mod.this_module_name();
    m_name = this_name ? std::string(*this_name) : module::path_to_modname(m_mod.path());
    m_out.name = m_name;
    if (auto info = m_mod.modinfo()) m_modinfo = std::move(*info);
    auto versions = module::symbol_versions(m_mod, module::VersionView::Loader);
    if (versions)
        m_versions = std::move(*versions);
    else
        add(FindingKind::NotAModule, Effect::Refuse,
            "unreadable symbol versions: " + versions.error().message, "", ENOEXEC);
    module::SignatureBlob sig;
    if (m_target.loader().signatures) sig = module::read_signature_blob(m_mod.source());

    if (check_elf()) {
        check_layout();
        check_vermagic();
        check_modinfo_taints();
        check_symbols();
        check_dependencies();
    }
    return Pending{std::move(m_out), std::move(sig), m_symbol_error};
}

Prediction finish(Pending&& pending) {
    static constexpr std::string_view k_taint_order = "PFCOEKXN";
    Prediction out = std::move(pending.prediction);
    bool refused = false;
    for (const auto& f : out.findings) {
        if (f.effect == Effect::Refuse && !refused) {
            refused = true;
            // Symbol failures: the kernel goes on through every symbol and returns the error of
            // the last one that failed.
            out.error = is_symbol_kind(f.kind) ? pending.symbol_error : f.error;
        }
        if (f.effect == Effect::Taint && out.taints.find(f.taint) == std::string::npos)
            out.taints += f.taint;
    }
    std::sort(out.taints.begin(), out.taints.end(),
              [](char a, char b) { return k_taint_order.find(a) < k_taint_order.find(b); });
    out.verdict = refused              ? Verdict::Refused
                  : out.taints.empty() ? Verdict::Loads
                                       : Verdict::Taints;
    return out;
}

} // namespace detail

Prediction predict_load(const KernelTarget& target, const module::ModuleFile& mod) {
    detail::Pending pending = Checker(target, mod).run();
    detail::add_signature_findings(target, pending, [&](uint64_t n) -> std::optional<util::Buffer> {
        auto part = mod.source().read(0, n, util::Endian::Little);
        if (!part) return std::nullopt;
        return util::Buffer(part->bytes());
    });
    return detail::finish(std::move(pending));
}

util::Expected<Prediction> predict_file(const KernelTarget& target, const std::string& path) {
    auto mod = module::ModuleFile::open(path, module::ModuleFile::Load::OnDemand);
    if (!mod) return util::fail(std::move(mod.error()));
    return predict_load(target, *mod);
}

std::vector<util::Expected<Prediction>> predict_files(const KernelTarget& target,
                                                      std::span<const std::string> paths,
                                                      unsigned jobs, Fold fold) {
    // The modules are read while the target's certificates are still being read; their
    // signatures are judged afterwards, re-reading a module only when its signer is trusted.
    auto pending =
        util::parallel_map(paths.size(), jobs, [&](size_t i) -> util::Expected<detail::Pending> {
            auto mod = module::ModuleFile::open(paths[i], module::ModuleFile::Load::OnDemand);
            if (!mod) return util::fail(std::move(mod.error()));
            return Checker(target, *mod, fold).run();
        });
    target.trusted_keys(); // wait here, once
    return util::parallel_map(paths.size(), jobs, [&](size_t i) -> util::Expected<Prediction> {
        if (!pending[i]) return util::fail(std::move(pending[i].error()));
        detail::add_signature_findings(
            target, *pending[i], [&](uint64_t n) -> std::optional<util::Buffer> {
                auto mod = module::ModuleFile::open(paths[i], module::ModuleFile::Load::Full);
                if (!mod || mod->image().size() < n) return std::nullopt;
                return util::Buffer(mod->image().first(n));
            });
        return detail::finish(std::move(*pending[i]));
    });
}

} // namespace modkit::abi
