// module_parameters(): /sys/module/<name>/parameters through System.
#include "exec/module_params.hpp"

#include <algorithm>
#include <cerrno>

namespace modkit::exec {

std::expected<std::vector<LiveParam>, int> module_parameters(System& sys, std::string_view module) {
    const std::string dir = "/sys/module/" + std::string(module);
    if (!sys.is_dir(dir)) return std::unexpected(-ENOENT);
    std::vector<LiveParam> out;
    auto names = sys.list_dir(dir + "/parameters");
    if (!names) return out; // a module without parameters has no such directory
    for (const std::string& n : *names) {
        LiveParam p{n, {}};
        if (auto v = sys.read_file(dir + "/parameters/" + n)) {
            std::string text = *v;
            while (!text.empty() && text.back() == '\n')
                text.pop_back();
            p.value = text;
        }
        out.push_back(std::move(p));
    }
    std::sort(out.begin(), out.end(),
              [](const LiveParam& a, const LiveParam& b) { return a.name < b.name; });
    return out;
}

} // namespace modkit::exec
