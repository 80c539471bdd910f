// mkrpm: binary rpms per kernel and the DKMS source rpm, made with rpmbuild.
#pragma once
#include "dkms/package_deb.hpp"

#include <string>
#include <vector>

namespace modkit::dkms::package {

// With `kms` empty, the source rpm; else one binary rpm per kernel. Returns the file names
// made in the staging directory.
util::Expected<std::vector<std::string>> make_rpm(const DebInput& in,
                                                  const std::vector<KernelModules>& kms,
                                                  Staging& staging, Report& report);

} // namespace modkit::dkms::package
