// run_cli(): descriptor-level capture of a tool run.
#include "cli_capture.hpp"

#include "util/diag.hpp"
#include "util/output.hpp"

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

namespace modkit::test {

namespace {

// Points `fd` at a fresh temporary file until restore(); then returns what was written.
class Redirect {
public:
    explicit Redirect(int fd)
        : m_fd(fd) {
        char name[] = "/tmp/modkit-capture.XXXXXX";
        m_tmp = ::mkstemp(name);
        ::unlink(name);
        m_saved = ::dup(fd);
        ::dup2(m_tmp, fd);
    }
    std::string restore() {
        ::dup2(m_saved, m_fd);
        ::close(m_saved);
        std::string text;
        ::lseek(m_tmp, 0, SEEK_SET);
        char buf[4096];
        ssize_t n;
        while ((n = ::read(m_tmp, buf, sizeof buf)) > 0)
            text.append(buf, static_cast<size_t>(n));
        ::close(m_tmp);
        return text;
    }

private:
    int m_fd;
    int m_tmp = -1;
    int m_saved = -1;
};

} // namespace

CliResult run_cli(const std::string& program, std::vector<std::string> args,
                  const std::function<int(int, char**)>& entry) {
    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    util::Output::flush();
    std::fflush(stdout);
    std::fflush(stderr);
    const std::string saved_program = util::Diag::program();
    const util::LogLevel saved_level = util::Diag::level();
    util::Diag::set_program(program);

    Redirect out(STDOUT_FILENO), err(STDERR_FILENO);
    CliResult r;
    r.rc = entry(static_cast<int>(args.size()), argv.data());
    util::Output::flush();
    std::fflush(stderr); // getopt's messages go through stdio
    r.out = out.restore();
    r.err = err.restore();

    util::Diag::set_syslog(false);
    util::Diag::set_level(saved_level);
    util::Diag::set_program(saved_program);
    return r;
}

} // namespace modkit::test
