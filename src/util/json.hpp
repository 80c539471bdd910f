// Minimal JSON output: string escaping per RFC 8259, for the --json views. Writers build the
// document themselves; this only makes strings safe.
#pragma once

#include <string>
#include <string_view>

namespace modkit::util {

// `s` as a quoted JSON string.
std::string json_string(std::string_view s);

} // namespace modkit::util
