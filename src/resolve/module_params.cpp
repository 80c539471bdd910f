// configured_params(): modprobe.d and kernel-command-line settings of a module's parameters.
#include "resolve/module_params.hpp"

#include "module/names.hpp"

namespace modkit::resolve {

std::vector<std::pair<std::string, std::optional<std::string>>> split_options(std::string_view s) {
    std::vector<std::pair<std::string, std::optional<std::string>>> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ')
            ++i;
        if (i >= s.size()) break;
        std::string word;
        std::optional<size_t> eq;
        bool quoted = false;
        for (; i < s.size() && (quoted || s[i] != ' '); ++i) {
            if (s[i] == '"') {
                quoted = !quoted;
                continue;
            }
            if (s[i] == '=' && !eq) eq = word.size();
            word += s[i];
        }
        if (eq)
            out.emplace_back(word.substr(0, *eq), word.substr(*eq + 1));
        else
            out.emplace_back(word, std::nullopt);
    }
    return out;
}

std::vector<ConfiguredParam> configured_params(const config::ModprobeConfig& cfg,
                                               std::string_view module) {
    std::vector<ConfiguredParam> out;
    const std::string name = module::modname_normalize(module);
    for (const config::Options* o : cfg.options_entries(name)) {
        for (auto& [param, value] : split_options(o->options)) {
            std::string key = param; // the kernel's parameq(): '-' and '_' are the same
            for (char& c : key)
                if (c == '-') c = '_';
            ConfiguredParam* found = nullptr;
            for (auto& p : out)
                if (p.name == key) found = &p;
            if (found == nullptr) found = &out.emplace_back(ConfiguredParam{key, {}, {}});
            found->value = value;
            found->origin = o->origin;
        }
    }
    return out;
}

bool same_param_value(std::string_view sysfs, const std::optional<std::string>& configured) {
    if (!configured) return sysfs == "Y";
    if (sysfs == *configured) return true;
    auto truth = [](std::string_view v) -> int {
        if (v == "Y" || v == "y" || v == "1" || v == "true") return 1;
        if (v == "N" || v == "n" || v == "0" || v == "false") return 0;
        return -1;
    };
    int a = truth(sysfs), b = truth(*configured);
    return a >= 0 && a == b;
}

} // namespace modkit::resolve
