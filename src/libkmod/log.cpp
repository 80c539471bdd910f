// Logging as libkmod does it: a per-context priority (LOG_ERR by default, $KMOD_LOG at
// creation), a replaceable log function that receives a printf format and a va_list, and the
// default sink that writes "libkmod: PRIO: function: message" to stderr.
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace modkit::libkmod {

namespace {

// Hands an already formatted message to a printf-style log function.
void call_log_fn(const kmod_ctx* ctx, int priority, const char* file, int line, const char* fn,
                 const char* format, ...) {
    va_list args;
    va_start(args, format);
    ctx->log_fn(ctx->log_data, priority, file, line, fn, format, args);
    va_end(args);
}

const char* priority_name(int priority, char (&buf)[16]) {
    switch (priority) {
    case 0:
        return "EMERGENCY";
    case 1:
        return "ALERT";
    case 2:
        return "CRITICAL";
    case 3:
        return "ERROR";
    case 4:
        return "WARNING";
    case 5:
        return "NOTICE";
    case 6:
        return "INFO";
    case 7:
        return "DEBUG";
    }
    std::snprintf(buf, sizeof buf, "L:%d", priority);
    return buf;
}

} // namespace

int priority_of(util::LogLevel level) {
    return level == util::LogLevel::Fatal ? k_log_err : static_cast<int>(level);
}

void log_message(const kmod_ctx* ctx, int priority, const char* file, int line, const char* fn,
                 std::string_view msg) {
    if (ctx == nullptr || ctx->log_fn == nullptr || ctx->log_priority < priority) return;
    std::string text(msg);
    call_log_fn(ctx, priority, file, line, fn, "%s", text.c_str());
}

int priority_from_env(const char* value) {
    char* end = nullptr;
    long prio = std::strtol(value, &end, 10);
    if (*end == '\0' || std::isspace(static_cast<unsigned char>(*end)))
        return static_cast<int>(prio);
    if (std::strncmp(value, "err", 3) == 0) return k_log_err;
    if (std::strncmp(value, "info", 4) == 0) return k_log_info;
    if (std::strncmp(value, "debug", 5) == 0) return k_log_debug;
    return 0;
}

void log_to_stderr(void* data, int priority, const char*, int, const char* fn, const char* format,
                   va_list args) {
    auto* out = static_cast<FILE*>(data);
    char buf[16];
    std::fprintf(out, "libkmod: %s: %s: ", priority_name(priority, buf), fn);
    std::vfprintf(out, format, args);
}

} // namespace modkit::libkmod

using namespace modkit::libkmod;

extern "C" {

void kmod_set_log_fn(kmod_ctx* ctx, kmod_log_fn log_fn, const void* data) {
    if (ctx == nullptr) return;
    ctx->log_fn = log_fn;
    ctx->log_data = const_cast<void*>(data);
    char msg[64];
    std::snprintf(msg, sizeof msg, "custom logging function %p registered\n",
                  reinterpret_cast<void*>(log_fn));
    KMOD_INFO(ctx, msg);
}

int kmod_get_log_priority(const kmod_ctx* ctx) {
    return ctx == nullptr ? -1 : ctx->log_priority;
}

void kmod_set_log_priority(kmod_ctx* ctx, int priority) {
    if (ctx != nullptr) ctx->log_priority = priority;
}

} // extern "C"
