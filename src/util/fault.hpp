// Fault injection for tests of crash safety. When the environment has MODKIT_FAULT=NAME:N,
// the N-th call of fault_point("NAME") kills the process with SIGKILL, exactly as a power cut
// or an OOM kill would stop it at that spot. Without the variable this is one cached check.
#pragma once

#include <string_view>

namespace modkit::util {

void fault_point(std::string_view name);

} // namespace modkit::util
