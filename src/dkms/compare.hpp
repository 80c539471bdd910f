// The comparison dkms.conf semantics rest on: DKMS's VER() ordering of version strings
// (digit runs padded to three places, then compared as strings). bash's =~ is util/regex.hpp.
#pragma once
#include <string>
#include <string_view>

namespace modkit::dkms {

// DKMS's VER(): "6.1.0-50-amd64" -> "006.001.000-050-amd064". Compare the results with <.
std::string ver_key(std::string_view version);

// -1, 0 or 1 as VER(a) sorts before, equal to or after VER(b).
int ver_compare(std::string_view a, std::string_view b);

} // namespace modkit::dkms
