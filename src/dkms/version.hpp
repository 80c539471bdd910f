// The version string `dkms --version` prints and make.log's header carries: the DKMS release
// whose interface modkit implements, then modkit's own version.
#pragma once
#include <string>

namespace modkit::dkms {

// "dkms-3.4.3 (modkit 0.1.0)".
inline std::string version_string() {
    return "dkms-3.4.3 (modkit " MODKIT_VERSION ")";
}

} // namespace modkit::dkms
