// modules-load.d files and the kernel command line, read as systemd 252's systemd-modules-load
// reads them (conf_files_list, read_line, strstrip, proc_cmdline and strv_split rules).
#include "config/modules_load.hpp"

#include "util/mapped_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::config {

namespace {

// systemd's hidden_or_backup_file(): names its directory listings never show.
bool hidden_or_backup(std::string_view name) {
    if (name.starts_with('.') || name == "lost+found" || name == "aquota.user" ||
        name == "aquota.group" || name.ends_with('~'))
        return true;
    size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) return false;
    static constexpr std::array<std::string_view, 17> k_suffixes = {
        "rpmnew",    "rpmsave",  "rpmorig",     "dpkg-old",    "dpkg-new", "dpkg-tmp",
        "dpkg-dist", "dpkg-bak", "dpkg-backup", "dpkg-remove", "ucf-new",  "ucf-old",
        "ucf-dist",  "swp",      "bak",         "old",         "new"};
    std::string_view suffix = name.substr(dot + 1);
    return std::find(k_suffixes.begin(), k_suffixes.end(), suffix) != k_suffixes.end();
}

// The directory with its symlinks resolved; unchanged when it does not exist.
std::string resolve_dir(const std::string& dir) {
    char buf[PATH_MAX];
    if (::realpath(dir.c_str(), buf) != nullptr) return buf;
    return dir;
}

enum Eol : unsigned { k_none = 0, k_lf = 1, k_cr = 2, k_nul = 4 };

Eol eol_of(char c) {
    switch (c) {
    case '\n':
        return k_lf;
    case '\r':
        return k_cr;
    case '\0':
        return k_nul;
    default:
        return k_none;
    }
}

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view strip(std::string_view s) {
    while (!s.empty() && is_blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back()))
        s.remove_suffix(1);
    return s;
}

// One word of the kernel command line: blanks separate, quotes group and vanish, backslashes
// stay (extract_first_word with UNQUOTE|RELAX|RETAIN_ESCAPE). False at the end.
bool next_cmdline_word(std::string_view s, size_t& pos, std::string& word) {
    while (pos < s.size() && is_blank(s[pos]))
        ++pos;
    if (pos >= s.size()) return false;
    word.clear();
    char quote = 0;
    for (; pos < s.size(); ++pos) {
        char c = s[pos];
        if (quote != 0) {
            if (c == quote)
                quote = 0;
            else
                word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (is_blank(c)) {
            ++pos;
            break;
        } else {
            word += c;
        }
    }
    return true;
}

// strv_split(value, ","): commas separate, several count as one and none at the ends make
// empty names; backslashes and quotes are ordinary bytes (EXTRACT_RETAIN_ESCAPE).
std::vector<std::string> split_commas(std::string_view s) {
    std::vector<std::string> out;
    size_t pos = 0;
    for (;;) {
        while (pos < s.size() && s[pos] == ',')
            ++pos;
        if (pos >= s.size()) return out;
        size_t end = s.find(',', pos);
        if (end == std::string_view::npos) end = s.size();
        out.emplace_back(s.substr(pos, end - pos));
        pos = end;
    }
}

// proc_cmdline_key_streq: '-' and '_' are the same.
bool key_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i] == '-' ? '_' : a[i];
        char y = b[i] == '-' ? '_' : b[i];
        if (x != y) return false;
    }
    return true;
}

} // namespace

std::vector<std::string> modules_load_dirs(std::string_view root) {
    std::string base(root);
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    std::vector<std::string> dirs;
    for (const char* dir : {"/etc", "/run", "/usr/local/lib", "/usr/lib", "/lib"})
        dirs.push_back(base + dir + "/modules-load.d");
    return dirs;
}

std::vector<std::string> list_modules_load_files(std::span<const std::string> dirs) {
    std::vector<std::string> resolved;
    for (const std::string& d : dirs) {
        std::string r = resolve_dir(d);
        if (std::find(resolved.begin(), resolved.end(), r) == resolved.end())
            resolved.push_back(std::move(r));
    }
    struct Entry {
        std::string name, path;
    };
    std::vector<Entry> found;
    for (const std::string& dir : resolved) {
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) continue; // systemd ignores a directory it cannot open
        std::vector<std::string> names;
        while (dirent* de = ::readdir(d))
            names.emplace_back(de->d_name);
        ::closedir(d);
        std::sort(names.begin(), names.end());
        for (std::string& name : names) {
            if (hidden_or_backup(name) || !name.ends_with(".conf")) continue;
            bool masked = std::any_of(found.begin(), found.end(),
                                      [&](const Entry& e) { return e.name == name; });
            if (!masked) found.push_back({name, dir + "/" + name});
        }
    }
    std::sort(found.begin(), found.end(), [](const Entry& a, const Entry& b) {
        return std::strcmp(a.name.c_str(), b.name.c_str()) < 0;
    });
    std::vector<std::string> out;
    out.reserve(found.size());
    for (Entry& e : found)
        out.push_back(std::move(e.path));
    return out;
}

ParsedLoadFile parse_modules_load(std::string_view data, const std::string& path) {
    ParsedLoadFile out;
    out.path = path;
    size_t pos = 0;
    unsigned line = 0;
    std::string text;
    while (pos < data.size()) {
        out.lines = ++line;
        text.clear();
        unsigned seen = k_none;
        for (;;) {
            if (text.size() >= k_modules_load_line_max) {
                out.error = util::Error{util::ErrorKind::Invalid, ENOBUFS, path, line,
                                        "line longer than " +
                                            std::to_string(k_modules_load_line_max - 1) + " bytes"};
                return out;
            }
            if (pos >= data.size()) break;
            char c = data[pos];
            Eol eol = eol_of(c);
            // A line ends before a byte that follows a NUL, before the first byte that is not
            // an end-of-line byte, and before an end-of-line byte of a kind already seen.
            if ((seen & k_nul) != 0 || (eol == k_none && seen != k_none) ||
                (eol != k_none && (seen & eol) != 0))
                break;
            ++pos;
            if (eol != k_none) {
                seen |= eol;
                continue;
            }
            text += c;
        }
        std::string_view l = strip(text);
        if (l.empty() || l.front() == '#' || l.front() == ';') continue;
        out.entries.push_back({std::string(l), Origin{path, line}});
    }
    return out;
}

util::Expected<ParsedLoadFile> read_modules_load_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return util::fail_errno(errno, path, "open");
    struct stat st {};
    if (::fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
        int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
        ::close(fd);
        ParsedLoadFile out;
        out.path = path;
        out.error = util::Error{util::ErrorKind::Io, err, path, 1, std::strerror(err)};
        return out;
    }
    if (S_ISREG(st.st_mode)) {
        // Mapped, not copied: however large the file, only the current line is held.
        auto mapped = util::MappedFile::from_fd(fd, path);
        ::close(fd);
        if (!mapped) return util::fail(mapped.error());
        return parse_modules_load(mapped->chars(), path);
    }
    // Not a regular file (/dev/null as a mask, a pipe): read, up to a bound.
    std::string data;
    std::optional<util::Error> read_error;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            read_error = util::Error{util::ErrorKind::Io, errno, path, 0, std::strerror(errno)};
            break;
        }
        if (n == 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (data.size() > k_modules_load_stream_max) {
            read_error = util::Error{util::ErrorKind::Invalid, EFBIG, path, 0,
                                     "more than " + std::to_string(k_modules_load_stream_max) +
                                         " bytes from a file that is not a regular file"};
            break;
        }
    }
    ::close(fd);
    ParsedLoadFile parsed = parse_modules_load(data, path);
    if (read_error && !parsed.error) {
        read_error->line = parsed.lines + 1;
        parsed.error = std::move(read_error);
    }
    return parsed;
}

CmdlineLoad parse_modules_load_cmdline(std::string_view cmdline, InInitrd in_initrd) {
    CmdlineLoad out;
    if (size_t nul = cmdline.find('\0'); nul != std::string_view::npos)
        cmdline = cmdline.substr(0, nul);
    std::vector<std::string> names;
    size_t pos = 0;
    std::string word;
    while (next_cmdline_word(cmdline, pos, word)) {
        std::string_view w = word;
        if (w.starts_with("rd.")) {
            if (in_initrd == InInitrd::No) continue;
            w.remove_prefix(3);
        }
        size_t eq = w.find('=');
        std::string_view key = w.substr(0, eq);
        if (!key_equal(key, "modules_load")) continue;
        if (eq == std::string_view::npos) {
            out.diagnostics.push_back({util::LogLevel::Warning, "", 0,
                                       "Missing argument for " + std::string(key) +
                                           "= kernel command line switch, ignoring."});
            continue;
        }
        std::vector<std::string> split = split_commas(w.substr(eq + 1));
        for (std::string& n : split)
            if (std::find(names.begin(), names.end(), n) == names.end())
                names.push_back(std::move(n));
    }
    for (std::string& n : names)
        out.entries.push_back({std::move(n), Origin{}});
    return out;
}

} // namespace modkit::config
