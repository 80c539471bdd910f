// Module parameters given on a command line ("name=value" words) joined into the one string
// the kernel takes, as kmod's tools join them (options_from_array): words separated by spaces,
// a value holding a space wrapped in double quotes after the '=' unless it is already quoted.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace modkit::module {

std::string join_options(std::span<const std::string_view> words);

} // namespace modkit::module
