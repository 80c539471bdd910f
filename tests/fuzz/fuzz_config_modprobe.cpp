// libFuzzer target for modprobe.d parsing: the input is one configuration file. Every query
// runs with names taken from the input, and "modprobe -c" must print exactly one line per
// stored directive (no directive text can hold a newline).
#include "config/modprobe_config.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace modkit;

namespace {

volatile size_t g_sink;

std::vector<std::string> probe_names(const config::ModprobeConfig& cfg, std::string_view data) {
    std::vector<std::string> names = {"", "snd_foo", "e1000e", "net_pf_10", "mod-a"};
    for (const auto& a : cfg.aliases())
        names.push_back(a.module);
    for (const auto& o : cfg.options())
        names.push_back(o.module);
    for (const auto& s : cfg.softdeps())
        names.push_back(s.module);
    // A few raw slices too, so patterns meet odd inputs.
    for (size_t i = 0; i + 1 < data.size() && names.size() < 64; i += 1 + data.size() / 8)
        names.emplace_back(data.substr(i, 12));
    return names;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    std::string_view data(reinterpret_cast<const char*>(bytes), size);
    config::ModprobeConfig cfg;
    cfg.parse("/etc/modprobe.d/fuzz.conf", data);

    for (const std::string& name : probe_names(cfg, data)) {
        g_sink = g_sink + cfg.aliases_matching(name).size();
        g_sink = g_sink + cfg.options_for(name, name).size();
        for (auto kind : {config::CommandKind::Install, config::CommandKind::Remove}) {
            if (const auto* c = cfg.command_for(kind, name)) g_sink = g_sink + c->command.size();
            if (const auto* c = cfg.command_exact(kind, name)) g_sink = g_sink + c->command.size();
        }
        g_sink = g_sink + cfg.is_blacklisted(name);
        if (const auto* s = cfg.softdep_for(name)) g_sink = g_sink + s->pre.size() + s->post.size();
        if (const auto* w = cfg.weakdep_for(name)) g_sink = g_sink + w->deps.size();
    }

    std::string shown = cfg.show_config();
    size_t lines = 0;
    for (char c : shown)
        lines += c == '\n';
    size_t entries = cfg.aliases().size() + cfg.options().size() + cfg.install_commands().size() +
                     cfg.remove_commands().size() + cfg.blacklists().size() +
                     cfg.softdeps().size() + cfg.weakdeps().size();
    if (lines != entries) __builtin_trap();
    for (const auto& d : cfg.diagnostics())
        if (d.message.find('\n') != std::string::npos) __builtin_trap();
    return 0;
}
