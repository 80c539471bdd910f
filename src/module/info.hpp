// The key/value list modinfo shows for a module, built as libkmod's kmod_module_get_info
// does: every .modinfo string in order, then, for signed modules, sig_id, signer, sig_key,
// sig_hashalgo and signature (hex, wrapped every 20 bytes).
#pragma once

#include "module/module_file.hpp"

#include <string>
#include <vector>

namespace modkit::module {

struct InfoEntry {
    std::string key;
    std::string value;
};

std::vector<InfoEntry> info_from_modinfo(const std::vector<ModinfoEntry>& modinfo);
// Appends the signature entries of `sig`.
void append_signature_info(std::vector<InfoEntry>& out, const SignatureInfo& sig);
// The full list for a module file: fails like libkmod if .modinfo is missing (ENOENT).
util::Expected<std::vector<InfoEntry>> module_info(const ModuleFile& mod);
// The list for a built-in module from its "key=value" records.
std::vector<InfoEntry> info_from_records(const std::vector<std::string_view>& records);

} // namespace modkit::module
