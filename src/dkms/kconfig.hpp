// A kernel .config / include/config/auto.conf: CONFIG_X=value lines. DKMS greps it for
// BUILD_EXCLUSIVE_CONFIG, CONFIG_CC_IS_CLANG and CONFIG_MODULE_SIG_HASH.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>

namespace modkit::dkms {

class KernelConfig {
public:
    // An unreadable file gives an empty config.
    static KernelConfig load(const std::string& path);
    static KernelConfig parse(std::string_view text);
    // The value with surrounding double quotes removed; "" when unset.
    std::string value(std::string_view name) const;
    // grep -q "^NAME=[ym]"
    bool enabled(std::string_view name) const;

private:
    std::unordered_map<std::string, std::string> m_values;
};

} // namespace modkit::dkms
