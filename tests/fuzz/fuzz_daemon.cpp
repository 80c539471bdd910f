// libFuzzer target for modkitd's readers: the input is parsed as a kernel uevent datagram, as a
// device's uevent file, as modkitd.conf, as /proc/pressure/memory and as the history file. An
// accepted uevent must have a non-empty action, a devpath starting with '/', keys without '='
// and values without newlines; a configuration problem must name a line of the input; pressure
// averages must be percentages; history entries must survive a second round trip unchanged.
#include "daemon/config.hpp"
#include "daemon/history.hpp"
#include "daemon/pressure.hpp"
#include "daemon/uevent.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace modkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    std::string_view data(reinterpret_cast<const char*>(bytes), size);

    if (auto ev = daemon::parse_uevent(std::span(bytes, size))) {
        if (ev->action.empty() || ev->devpath.empty() || ev->devpath[0] != '/') __builtin_trap();
        for (const auto& [k, v] : ev->env)
            if (k.empty() || k.find('=') != std::string::npos || v.find('\n') != std::string::npos)
                __builtin_trap();
    }
    if (auto ev = daemon::parse_uevent_file(data, "/devices/fuzz"))
        for (const auto& [k, v] : ev->env)
            if (k.empty() || v.find('\n') != std::string::npos) __builtin_trap();

    auto cfg = daemon::parse_daemon_config(data, "/etc/modkit/modkitd.conf");
    unsigned lines = static_cast<unsigned>(std::count(data.begin(), data.end(), '\n')) + 1;
    for (const auto& p : cfg.problems)
        if (p.line == 0 || p.line > lines || p.message.empty()) __builtin_trap();
    if (cfg.config.jobs == 0 || cfg.config.queue_limit < 16) __builtin_trap();

    if (auto p = daemon::parse_memory_pressure(data, "/proc/pressure/memory"))
        if (!(p->some.avg10 >= 0 && p->some.avg10 <= 100)) __builtin_trap();

    auto h = daemon::parse_history(data);
    std::string again;
    for (const auto& e : h.entries)
        again += daemon::format_history_line(e) + "\n";
    auto h2 = daemon::parse_history(again);
    if (h2.bad_lines != 0 || h2.entries != h.entries) __builtin_trap();
    return 0;
}
