// module_info(): the modinfo key/value list.
#include "module/info.hpp"

#include "util/strings.hpp"

namespace modkit::module {

std::vector<InfoEntry> info_from_modinfo(const std::vector<ModinfoEntry>& modinfo) {
    std::vector<InfoEntry> out;
    out.reserve(modinfo.size() + 5);
    for (const auto& e : modinfo)
        out.push_back({std::string(e.key), std::string(e.value)});
    return out;
}

void append_signature_info(std::vector<InfoEntry>& out, const SignatureInfo& sig) {
    out.push_back({"sig_id", sig.id_type});
    out.push_back({"signer", sig.signer});
    out.push_back({"sig_key", util::hex_colon(sig.key_id)});
    out.push_back({"sig_hashalgo", sig.hash_algo});
    out.push_back({"signature", util::hex_colon(sig.signature)});
}

util::Expected<std::vector<InfoEntry>> module_info(const ModuleFile& mod) {
    auto modinfo = mod.modinfo();
    if (!modinfo) return std::unexpected(modinfo.error());
    auto out = info_from_modinfo(*modinfo);
    if (auto sig = mod.signature()) append_signature_info(out, *sig);
    return out;
}

std::vector<InfoEntry> info_from_records(const std::vector<std::string_view>& records) {
    std::vector<InfoEntry> out;
    out.reserve(records.size());
    for (auto rec : records) {
        auto eq = rec.find('=');
        if (eq == std::string_view::npos)
            out.push_back({std::string(rec), {}});
        else
            out.push_back({std::string(rec.substr(0, eq)), std::string(rec.substr(eq + 1))});
    }
    return out;
}

} // namespace modkit::module
