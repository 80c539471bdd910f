// fnmatch(pattern, string, 0) for the patterns module aliases use. Wildcard index lookups call
// it once per candidate key, and glibc's general implementation (locales, multibyte) dominated
// the time; this matcher handles '*', '?' and plain bracket expressions byte by byte and hands
// anything else (backslash escapes, [:class:], [.x.], [=x=]) to glibc, so results are always
// glibc's in the "C" locale.
#pragma once

#include <string_view>

namespace modkit::util {

// True if `str` matches `pattern` exactly as fnmatch(pattern, str, 0) == 0 would say.
// Neither may contain NUL.
bool glob_match(std::string_view pattern, std::string_view str);

} // namespace modkit::util
