// Errors are values: what went wrong (kind + errno), where (path, line) and a message.
// Library code returns Expected<T>; only cli/ turns an Error into output and an exit code.
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <utility>

namespace modkit::util {

enum class ErrorKind {
    NotFound,    // the file, module or key does not exist
    Corrupt,     // the input exists but is malformed: truncated, bad magic, bad offsets
    Io,          // the operating system refused: read, write, mmap, rename
    Invalid,     // a bad argument or configuration value
    Unsupported, // well-formed input that this build cannot handle
};

struct Error {
    ErrorKind kind = ErrorKind::Corrupt;
    int sys_errno = 0; // errno equivalent, for kmod-compatible strerror() messages
    std::string path;
    unsigned line = 0; // 1-based; 0 when the error has no line
    std::string message;

    // "path:line: message", "path: message" or "message".
    std::string describe() const;
};

template <class T> using Expected = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, int sys_errno, std::string path,
                                   std::string message, unsigned line = 0) {
    return std::unexpected(Error{kind, sys_errno, std::move(path), line, std::move(message)});
}

inline std::unexpected<Error> fail(Error err) {
    return std::unexpected(std::move(err));
}

// An Error for a failed system call: kind NotFound for ENOENT, Io otherwise.
std::unexpected<Error> fail_errno(int sys_errno, std::string path, std::string what);

} // namespace modkit::util
