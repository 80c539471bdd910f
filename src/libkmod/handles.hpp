// The C handles of libkmod.so.2 and what they hold: a kmod_ctx owns one module directory, one
// configuration and the resolver (libkmod's module pool); a kmod_module is a reference-counted
// handle on one resolver object; kmod_list and kmod_config_iter are small C-shaped containers.
// Only src/libkmod sees these definitions; libkmod.h declares the structs without a body.
#pragma once

#include "config/config_files.hpp"
#include "config/modprobe_config.hpp"
#include "index/module_dir.hpp"
#include "module/decompress.hpp"
#include "module/module_file.hpp"
#include "resolve/resolver.hpp"

#include <array>
#include <cstdarg>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct kmod_module;

using kmod_log_fn = void (*)(void* log_data, int priority, const char* file, int line,
                             const char* fn, const char* format, va_list args);

struct kmod_ctx {
    // The resolver's messages (a dependency line that cannot be read, a soft dependency that
    // cannot be looked up) go to this context's log (see resolver_log in ctx.cpp).
    kmod_ctx(std::string dirname_, modkit::config::ModprobeConfig config_)
        : dirname(std::move(dirname_))
        , dir(dirname)
        , config(std::move(config_))
        , resolver(dir, config, resolver_log()) {}
    kmod_ctx(const kmod_ctx&) = delete;
    kmod_ctx& operator=(const kmod_ctx&) = delete;

    modkit::util::LogFn resolver_log();

    int refcount = 1;
    std::string dirname;
    modkit::index::ModuleDirectory dir;
    modkit::config::ModprobeConfig config;
    modkit::resolve::Resolver resolver;
    // The handle of every live resolver object, by id (null: no handle, about to be released).
    std::vector<kmod_module*> handles;
    std::vector<modkit::config::PathStamp> config_stamps;
    // kmod_load_resources was called (and not undone): indexes stay open between calls.
    bool resources_loaded = false;

    kmod_log_fn log_fn = nullptr;
    void* log_data = nullptr;
    int log_priority = 3; // LOG_ERR
    const void* userdata = nullptr;
};

// A kmod_module starts with this tag, and every other list entry's record with k_record_tag,
// so an accessor handed an entry of the wrong kind of list answers NULL instead of misreading.
inline constexpr uint32_t k_module_tag = 0x6b6d6f64; // "kmod"
inline constexpr uint32_t k_record_tag = 0x6b726563; // "krec"

struct kmod_module {
    uint32_t tag = k_module_tag;
    kmod_ctx* ctx = nullptr;
    modkit::resolve::ModId id = 0;
    int refcount = 1;
    // Copies of what the getters hand out, so the pointers stay valid for the handle's life.
    std::string name;
    std::optional<std::string> path;
    std::optional<std::string> options;
    bool options_known = false;
    // References held on the module's dependencies once they are known (libkmod's mod->dep).
    std::vector<kmod_module*> deps;
    bool deps_held = false;
    // The module file, opened on first use and kept while the handle lives.
    std::unique_ptr<modkit::module::ModuleFile> file;
};

// What a list entry carries. Module lists hold a reference per entry; the others own records.
enum class ListKind : uint8_t { Module, Info, Version, Symbol, DepSymbol, Section };

// One entry of an info, version, symbol, dependency-symbol or section list.
struct ListRecord {
    uint32_t tag = k_record_tag;
    ListKind kind = ListKind::Info;
    std::string key;     // info key, symbol or section name
    std::string value;   // info value
    uint64_t number = 0; // crc or section address
    int bind = 0;        // dependency symbol binding
};

// A list entry, laid out as kmod's own (two links, then the data pointer) and allocated with
// malloc, so a list built with kmod's internal list code (kmod's tools and tests do) is read
// and freed correctly here. Lists are circular: the head's prev is the last entry.
struct kmod_list {
    kmod_list* next;
    kmod_list* prev;
    void* data; // kmod_module* or ListRecord*
};

enum class ConfigKind : uint8_t { Blacklist, Install, Remove, Alias, Options, Softdep, Weakdep };

struct kmod_config_iter {
    ConfigKind kind = ConfigKind::Blacklist;
    const modkit::config::ModprobeConfig* config = nullptr;
    size_t next = 0;         // the entry kmod_config_iter_next moves to
    bool positioned = false; // an entry is current (next - 1)
};
