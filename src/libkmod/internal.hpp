// What the files of src/libkmod share: the C boundary guard (no exception leaves an extern "C"
// function), logging through the context's log function, module handles and their lifetimes,
// and list building. Everything here has hidden visibility; only libkmod.map's names export.
#pragma once

#include "libkmod/handles.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <cerrno>
#include <string>
#include <string_view>

namespace modkit::libkmod {

// Runs `body`; an exception (std::bad_alloc from the core, in practice) becomes `on_error`.
template <class R, class F> R guard(R on_error, F&& body) noexcept {
    try {
        return body();
    } catch (...) {
        return on_error;
    }
}
template <class F> void guard_void(F&& body) noexcept {
    try {
        body();
    } catch (...) {
    }
}

// ---- logging (log.cpp) ----

// syslog priorities, as libkmod uses them.
inline constexpr int k_log_err = 3, k_log_notice = 5, k_log_info = 6, k_log_debug = 7;

int priority_of(util::LogLevel level);
// Delivers `msg` (a whole line, newline included) if the context's priority admits it.
void log_message(const kmod_ctx* ctx, int priority, const char* file, int line, const char* fn,
                 std::string_view msg);
// The priority $KMOD_LOG asks for (libkmod's parsing: a number, or err/info/debug, else 0).
int priority_from_env(const char* value);
// libkmod's default sink: "libkmod: PRIO: fn: message" on the FILE* in log_data.
void log_to_stderr(void* data, int priority, const char* file, int line, const char* fn,
                   const char* format, va_list args);

#define KMOD_LOG(ctx, prio, msg)                                                                   \
    ::modkit::libkmod::log_message((ctx), (prio), __FILE_NAME__, __LINE__, __func__, (msg))
#define KMOD_ERR(ctx, msg) KMOD_LOG(ctx, ::modkit::libkmod::k_log_err, msg)
#define KMOD_INFO(ctx, msg) KMOD_LOG(ctx, ::modkit::libkmod::k_log_info, msg)
#define KMOD_DBG(ctx, msg) KMOD_LOG(ctx, ::modkit::libkmod::k_log_debug, msg)

// A core error as libkmod's return value: -errno (EINVAL when the error carries none).
inline int neg_errno(const util::Error& e) {
    return e.sys_errno > 0 ? -e.sys_errno : -EINVAL;
}

// ---- module handles (pool.cpp) ----

// The handle of resolver object `id`, with one new reference (created if it has none).
kmod_module* handle_for(kmod_ctx* ctx, resolve::ModId id);
// After the resolver worked: handles take references on dependencies it loaded, objects it
// created that no handle refers to are forgotten (libkmod frees them when its temporary
// lists go), and without loaded resources the indexes are closed. `fn` names the entry point.
void settle(kmod_ctx* ctx, const char* fn);
// Drops one reference; frees the handle (and its context reference) at zero.
kmod_module* module_unref(kmod_module* mod);

// ---- lists (list.cpp) ----

// Appends an entry holding `data` to the list whose head is `head`; returns the head.
kmod_list* list_append_data(kmod_list* head, void* data);
// A module entry holding `mod`'s reference (the caller's reference moves into the list).
kmod_list* list_append_module(kmod_list* head, kmod_module* mod);
kmod_list* list_append_record(kmod_list* head, ListKind kind, std::string key,
                              std::string value = {}, uint64_t number = 0, int bind = 0);
// Frees every entry; module entries drop their reference, records are deleted.
void list_free(kmod_list* head);
// The module of a module-list entry, or null for anything else.
kmod_module* module_of(const kmod_list* entry);
// The record of an entry of `kind`, or null for anything else.
const ListRecord* record_of(const kmod_list* entry, ListKind kind);

} // namespace modkit::libkmod
