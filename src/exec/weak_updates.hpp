// Carrying out a weak-modules plan (abi/weak_modules.hpp decides): the symbolic links of
// weak-updates/ created and removed, each link replaced atomically (a new link under a temporary
// name, then rename), empty directories left behind removed; and the initramfs of a changed kernel
// rebuilt with the distribution's tool. depmod runs after this, from the caller.
#pragma once

#include "util/error.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace modkit::exec {

// Removes the links of `remove`, then makes each (target, link) of `add`; `say` gets one line
// per change ("rm LINK", "ln -s TARGET LINK"). Stops at the first failure, naming the path;
// what was done before it stays done (each step is whole).
util::Expected<void> apply_weak_links(const std::vector<std::pair<std::string, std::string>>& add,
                                      const std::vector<std::string>& remove,
                                      const std::function<void(const std::string&)>& say);

// Rebuilds KERNEL's initramfs with dracut or update-initramfs, whichever the system has.
// NotFound when it has neither; Io when the tool fails.
util::Expected<void> rebuild_initramfs(const std::string& kernel);

} // namespace modkit::exec
