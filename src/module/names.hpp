// Module-name rules shared by every tool: '-' and '_' are the same in module names, aliases
// keep bracket expressions verbatim, and a module's name comes from its file name.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace modkit::module {

// kmod's alias_normalize(): '-' -> '_' outside [...]; nullopt on an unbalanced ']' or '['.
std::optional<std::string> alias_normalize(std::string_view alias);
// The same into a reused buffer (no allocation once it has grown); false on bad brackets.
bool alias_normalize_into(std::string_view alias, std::string& out);
// kmod's underscores(): the same rule, used on config-file names; false on bad brackets.
bool underscores(std::string& s);
// kmod's modname_normalize(): '-' -> '_', cut at the first '.'.
std::string modname_normalize(std::string_view name);
// The module name of a file path (basename, then modname_normalize); empty for "dir/".
std::string path_to_modname(std::string_view path);

// The file extensions of a module kmod reads: uncompressed, then each compression.
inline constexpr std::array<std::string_view, 4> k_module_extensions = {".ko", ".ko.gz", ".ko.xz",
                                                                        ".ko.zst"};
// The module extension `name` ends with after at least one other character, as kmod's
// path_ends_with_kmod_ext checks it (".ko" alone is not a module); empty when there is none.
std::string_view module_extension(std::string_view name);
inline bool has_module_extension(std::string_view name) {
    return !module_extension(name).empty();
}

} // namespace modkit::module
