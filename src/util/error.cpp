// Error formatting.
#include "util/error.hpp"

#include <cstring>

namespace modkit::util {

std::string Error::describe() const {
    std::string out;
    if (!path.empty()) {
        out += path;
        if (line != 0) {
            out += ':';
            out += std::to_string(line);
        }
        out += ": ";
    }
    out += message;
    return out;
}

std::unexpected<Error> fail_errno(int sys_errno, std::string path, std::string what) {
    ErrorKind kind = sys_errno == ENOENT ? ErrorKind::NotFound : ErrorKind::Io;
    std::string message = std::move(what);
    if (!message.empty()) message += ": ";
    message += std::strerror(sys_errno);
    return fail(kind, sys_errno, std::move(path), std::move(message));
}

} // namespace modkit::util
