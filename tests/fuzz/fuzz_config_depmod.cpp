// libFuzzer target for depmod.d parsing (including the POSIX regexes of override/external)
// and the duplicate-priority rule. The first input line is the kernel version, the rest one
// depmod.d file; module paths to compare come from the parsed search/override/external
// entries and from fixed ones. The decision for a pair must be repeatable. (A path CAN beat
// itself: kmod's search loop gives a matching search dir's index to the candidate only.)
#include "config/depmod_config.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace modkit;

namespace {
volatile size_t g_sink;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    std::string_view data(reinterpret_cast<const char*>(bytes), size);
    size_t nl = data.find('\n');
    std::string kver(data.substr(0, std::min<size_t>(nl, 64)));
    std::string_view text = nl == std::string_view::npos ? std::string_view() : data.substr(nl + 1);

    config::DepmodConfig cfg(kver);
    cfg.parse("/etc/depmod.d/fuzz.conf", text);
    cfg.finish();
    if (cfg.searches().empty()) __builtin_trap();

    std::vector<std::string> paths = {"kernel/fs/foo.ko", "updates/foo.ko", "extra/foo.ko.xz",
                                      "/opt/ext/foo.ko",  "foo.ko",         ".ko"};
    for (const auto& s : cfg.searches())
        if (paths.size() < 24) paths.push_back(s.path + "/foo.ko");
    for (const auto& o : cfg.overrides())
        if (paths.size() < 24) paths.push_back(o.subdir + "/" + o.module + ".ko");
    for (const std::string& dir : cfg.external_dirs())
        if (paths.size() < 24) paths.push_back(dir + "/foo.ko");

    const std::string moddir = "/lib/modules/" + kver;
    for (const std::string& a : paths) {
        g_sink = g_sink + cfg.is_excluded(a);
        for (const std::string& b : paths) {
            auto first = cfg.compare(moddir, a, b);
            auto again = cfg.compare(moddir, a, b);
            if (first.keep_existing != again.keep_existing || first.rule != again.rule)
                __builtin_trap();
        }
    }
    g_sink = g_sink + cfg.diagnostics().size() + cfg.excludes().size();
    return 0;
}
