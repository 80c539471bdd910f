// The check itself: vermagic (release first, then flags), then each __versions CRC against
// Module.symvers. Messages are whole sentences so DKMS can print them as they are.
#include "abi/module_check.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <cstdio>

namespace modkit::abi {
namespace {

using util::ErrorKind;

using util::first_word;

std::vector<std::string_view> flags_of(std::string_view vermagic) {
    auto words = util::split_any(vermagic, " ");
    if (!words.empty()) words.erase(words.begin()); // the release
    return words;
}

std::string hex32(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string quoted(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

// " (missing: a b; unexpected: c)" for the flags that differ, or "" if only spacing or order do.
std::string flag_difference(std::string_view have, std::string_view want) {
    auto have_flags = flags_of(have);
    auto want_flags = flags_of(want);
    auto list = [](const std::vector<std::string_view>& from,
                   const std::vector<std::string_view>& without) {
        std::string out;
        for (auto f : from) {
            if (std::find(without.begin(), without.end(), f) != without.end()) continue;
            if (!out.empty()) out += ' ';
            out += f;
        }
        return out;
    };
    std::string missing = list(want_flags, have_flags);
    std::string unexpected = list(have_flags, want_flags);
    std::string out;
    if (!missing.empty()) out += "missing: " + missing;
    if (!unexpected.empty()) out += (out.empty() ? "" : "; ") + ("unexpected: " + unexpected);
    return out.empty() ? out : " (" + out + ")";
}

bool has_flag(std::string_view vermagic, std::string_view flag) {
    auto flags = flags_of(vermagic);
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

// Appends the vermagic problem of a module whose vermagic is `have`, if any.
void check_vermagic(const KernelAbi& abi, std::string_view name,
                    std::optional<std::string_view> have, std::vector<Problem>& out) {
    if (!have) {
        out.push_back({ProblemKind::NoVermagic,
                       {},
                       0,
                       0,
                       std::string(name) + " has no vermagic; kernel " + abi.release + " expects " +
                           quoted(abi.vermagic)});
        return;
    }
    if (*have == abi.vermagic) return;
    std::string_view built_for = first_word(*have);
    if (built_for != abi.release) {
        out.push_back({ProblemKind::WrongRelease,
                       {},
                       0,
                       0,
                       std::string(name) + " was built for kernel " + std::string(built_for) +
                           " (vermagic " + quoted(*have) + "), not for " + abi.release + " (" +
                           quoted(abi.vermagic) + ")"});
        return;
    }
    out.push_back({ProblemKind::VermagicFlags,
                   {},
                   0,
                   0,
                   std::string(name) + " has vermagic " + quoted(*have) + " but kernel " +
                       abi.release + " expects " + quoted(abi.vermagic) +
                       flag_difference(*have, abi.vermagic)});
}

} // namespace

util::Expected<std::vector<Problem>> check_module(const KernelAbi& abi,
                                                  const module::ModuleFile& mod) {
    std::vector<Problem> out;
    std::string_view name = util::basename(mod.path());
    auto have = mod.vermagic();
    check_vermagic(abi, name, have, out);

    auto versions = mod.versions();
    if (!versions) {
        if (versions.error().kind != ErrorKind::NotFound) return util::fail(versions.error());
        // Without __versions a CONFIG_MODVERSIONS kernel loads the module only forced. A
        // vermagic without "modversions" already told the user why.
        if (abi.has_modversions() && (!have || has_flag(*have, "modversions")))
            out.push_back({ProblemKind::NoVersions,
                           {},
                           0,
                           0,
                           std::string(name) + " has no symbol CRCs (no __versions section), " +
                               "but kernel " + abi.release +
                               " has CONFIG_MODVERSIONS and would load it only forced"});
        return out;
    }
    if (!abi.symvers) return out;
    for (const auto& v : *versions) {
        const SymversEntry* known = abi.symvers->find(v.name);
        if (!known || known->crc == v.crc) continue;
        out.push_back({ProblemKind::CrcMismatch, std::string(v.name), v.crc, known->crc,
                       std::string(name) + ": symbol " + std::string(v.name) + " has CRC " +
                           hex32(v.crc) + " in the module but " + hex32(known->crc) +
                           " in kernel " + abi.release});
    }
    return out;
}

util::Expected<ModuleChecker> ModuleChecker::open(const KernelLocation& where) {
    auto abi = load_kernel_abi(where);
    if (!abi) return util::fail(std::move(abi.error()));
    return ModuleChecker(std::move(*abi));
}

util::Expected<std::vector<Problem>> ModuleChecker::check(const std::string& path) const {
    auto mod = module::ModuleFile::open(path, module::ModuleFile::Load::OnDemand);
    if (!mod) return util::fail(std::move(mod.error()));
    return check_module(m_abi, *mod);
}

std::vector<ModuleChecker::Result>
ModuleChecker::check_all(std::span<const std::string> paths) const {
    std::vector<Result> out;
    out.reserve(paths.size());
    for (const auto& path : paths)
        out.push_back({path, check(path)});
    return out;
}

} // namespace modkit::abi
