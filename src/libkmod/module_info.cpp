// What the module file says: .modinfo with the signature fields (or modules.builtin.modinfo
// for a built-in module), the __versions table, the exported symbols and the symbols the module
// needs. src/module reads the file; this turns its answers into libkmod's lists and counts.
// A missing section is -ENODATA, as kmod 31+ reports it.
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"
#include "module/builtin_modinfo.hpp"
#include "module/info.hpp"

namespace modkit::libkmod {

namespace {

// The module's file, opened once and kept with the handle (libkmod keeps it open too).
util::Expected<const module::ModuleFile*> file_of(kmod_module* mod) {
    if (!mod->file) {
        const char* path = kmod_module_get_path(mod);
        if (path == nullptr) return util::fail(util::ErrorKind::NotFound, ENOENT, {}, "no path");
        auto file = module::ModuleFile::open(path, module::ModuleFile::Load::OnDemand);
        if (!file) return std::unexpected(file.error());
        mod->file = std::make_unique<module::ModuleFile>(std::move(*file));
    }
    return mod->file.get();
}

// A missing section (NotFound from src/module) is ENODATA; anything else keeps its errno.
int section_errno(const util::Error& e) {
    return e.kind == util::ErrorKind::NotFound ? -ENODATA : neg_errno(e);
}

int builtin_info(kmod_module* mod, kmod_list** list) {
    auto info = module::BuiltinModinfo::open(mod->ctx->dir.file("modules.builtin.modinfo"));
    if (!info) return neg_errno(info.error());
    auto records = info->lookup(mod->name);
    if (!records) {
        if (records.error().kind == util::ErrorKind::NotFound) return 0; // no records: none
        KMOD_ERR(mod->ctx, "get_strings: unexpected string without modname prefix\n");
        return neg_errno(records.error());
    }
    int count = 0;
    for (auto& e : module::info_from_records(*records)) {
        *list = list_append_record(*list, ListKind::Info, std::move(e.key), std::move(e.value));
        ++count;
    }
    return count;
}

int info(kmod_module* mod, kmod_list** list) {
    auto builtin = mod->ctx->resolver.is_builtin(mod->id);
    settle(mod->ctx, "kmod_module_get_info");
    if (builtin && *builtin) return builtin_info(mod, list);
    auto file = file_of(mod);
    if (!file) return neg_errno(file.error());
    auto entries = module::module_info(**file);
    if (!entries) return section_errno(entries.error());
    int count = 0;
    for (auto& e : *entries) {
        *list = list_append_record(*list, ListKind::Info, std::move(e.key), std::move(e.value));
        ++count;
    }
    return count;
}

int versions(kmod_module* mod, kmod_list** list) {
    auto file = file_of(mod);
    if (!file) return neg_errno(file.error());
    auto table = (*file)->versions();
    if (!table) return section_errno(table.error());
    for (const auto& v : *table)
        *list = list_append_record(*list, ListKind::Version, std::string(v.name), {}, v.crc);
    return static_cast<int>(table->size());
}

int symbols(kmod_module* mod, kmod_list** list) {
    auto file = file_of(mod);
    if (!file) return neg_errno(file.error());
    auto exports = (*file)->exports();
    // No __crc_ symbols and no __ksymtab_strings to fall back on.
    if (exports.empty() && (*file)->elf().find("__ksymtab_strings") == nullptr) return -ENODATA;
    for (const auto& s : exports)
        *list = list_append_record(*list, ListKind::Symbol, std::string(s.name), {}, s.crc);
    return static_cast<int>(exports.size());
}

int dependency_symbols(kmod_module* mod, kmod_list** list) {
    auto file = file_of(mod);
    if (!file) return neg_errno(file.error());
    auto imports = (*file)->imports();
    if (!imports) return neg_errno(imports.error());
    for (const auto& s : *imports)
        *list = list_append_record(*list, ListKind::DepSymbol, std::string(s.name), {}, s.crc,
                                   s.weak ? KMOD_SYMBOL_WEAK : KMOD_SYMBOL_UNDEF);
    return static_cast<int>(imports->size());
}

// The common shape of the four getters: NULL checks, an empty list required, and the list
// freed again when the getter fails part way.
template <class F> int fill(const kmod_module* mod, kmod_list** list, F getter) {
    if (mod == nullptr || list == nullptr) return -ENOENT;
    if (*list != nullptr) return -EINVAL; // libkmod asserts
    return guard(-ENOMEM, [&] {
        int r = getter(const_cast<kmod_module*>(mod), list);
        if (r < 0) {
            list_free(*list);
            *list = nullptr;
        }
        return r;
    });
}

const char* key_of(const kmod_list* entry, ListKind kind) {
    const ListRecord* e = record_of(entry, kind);
    return e == nullptr ? nullptr : e->key.c_str();
}

uint64_t number_of(const kmod_list* entry, ListKind kind) {
    const ListRecord* e = record_of(entry, kind);
    return e == nullptr ? 0 : e->number;
}

} // namespace

} // namespace modkit::libkmod

using namespace modkit;
using namespace modkit::libkmod;

extern "C" {

int kmod_module_get_info(const kmod_module* mod, kmod_list** list) {
    return fill(mod, list, info);
}
const char* kmod_module_info_get_key(const kmod_list* entry) {
    return key_of(entry, ListKind::Info);
}
const char* kmod_module_info_get_value(const kmod_list* entry) {
    const ListRecord* e = record_of(entry, ListKind::Info);
    return e == nullptr ? nullptr : e->value.c_str();
}
void kmod_module_info_free_list(kmod_list* list) {
    list_free(list);
}

int kmod_module_get_versions(const kmod_module* mod, kmod_list** list) {
    return fill(mod, list, versions);
}
const char* kmod_module_version_get_symbol(const kmod_list* entry) {
    return key_of(entry, ListKind::Version);
}
uint64_t kmod_module_version_get_crc(const kmod_list* entry) {
    return number_of(entry, ListKind::Version);
}
void kmod_module_versions_free_list(kmod_list* list) {
    list_free(list);
}

int kmod_module_get_symbols(const kmod_module* mod, kmod_list** list) {
    return fill(mod, list, symbols);
}
const char* kmod_module_symbol_get_symbol(const kmod_list* entry) {
    return key_of(entry, ListKind::Symbol);
}
uint64_t kmod_module_symbol_get_crc(const kmod_list* entry) {
    return number_of(entry, ListKind::Symbol);
}
void kmod_module_symbols_free_list(kmod_list* list) {
    list_free(list);
}

int kmod_module_get_dependency_symbols(const kmod_module* mod, kmod_list** list) {
    return fill(mod, list, dependency_symbols);
}
const char* kmod_module_dependency_symbol_get_symbol(const kmod_list* entry) {
    return key_of(entry, ListKind::DepSymbol);
}
uint64_t kmod_module_dependency_symbol_get_crc(const kmod_list* entry) {
    return number_of(entry, ListKind::DepSymbol);
}
int kmod_module_dependency_symbol_get_bind(const kmod_list* entry) {
    const ListRecord* e = record_of(entry, ListKind::DepSymbol);
    return e == nullptr ? 0 : e->bind;
}
void kmod_module_dependency_symbols_free_list(kmod_list* list) {
    list_free(list);
}

} // extern "C"
