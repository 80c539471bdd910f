// exec::real_system(): the kernel layer's real System, handed up to the tools.
#include "exec/system.hpp"

namespace modkit::exec {

System& real_system() {
    return kernel::real_system();
}

} // namespace modkit::exec
