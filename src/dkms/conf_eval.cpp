// The bash side of evaluate_files() is a short script; the C++ side writes it and parses
// its NUL-separated records. Records go to descriptor 3 (the captured pipe); the script's
// own stdout is sent to stderr so nothing a file prints can forge a record.
#include "dkms/conf_eval.hpp"

#include "dkms/shell.hpp"

#include <cctype>
#include <cstdlib>

namespace modkit::dkms {

void ShellVars::set(const std::string& name, long long index, std::string value) {
    m_vars[name][index] = std::move(value);
}

const std::string& ShellVars::get(const std::string& name, long long index) const {
    static const std::string empty;
    auto it = m_vars.find(name);
    if (it == m_vars.end()) return empty;
    auto e = it->second.find(index);
    return e == it->second.end() ? empty : e->second;
}

bool ShellVars::has(const std::string& name, long long index) const {
    auto it = m_vars.find(name);
    return it != m_vars.end() && it->second.count(index) != 0;
}

size_t ShellVars::count(const std::string& name) const {
    auto it = m_vars.find(name);
    return it == m_vars.end() ? 0 : it->second.size();
}

long long ShellVars::end_index(const std::string& name) const {
    auto it = m_vars.find(name);
    if (it == m_vars.end() || it->second.empty()) return 0;
    return it->second.rbegin()->first + 1;
}

const ShellVars::Array* ShellVars::array(const std::string& name) const {
    auto it = m_vars.find(name);
    return it == m_vars.end() ? nullptr : &it->second;
}

namespace {

// The fixed part: safe_source and the final dump. $__mk_names and $__mk_watch are arrays.
constexpr const char* k_functions = R"BASH(
__mk_emit() {
    local -n __mk_ref=$1
    local __mk_i __mk_v
    for __mk_i in "${!__mk_ref[@]}"; do
        __mk_v=${__mk_ref[$__mk_i]%$'\r'}
        echo $1[$__mk_i]=\"$__mk_v\"
    done
}
__mk_safe_source() {
    local __mk_decl __mk_n __mk_d __mk_v __mk_set=
    __mk_decl=$(
        . "$1" >/dev/null
        for __mk_n in "${__mk_names[@]}"; do __mk_emit "$__mk_n"; done
        for __mk_d in ${!DKMS_DIRECTIVE@}; do
            __mk_v=${!__mk_d}
            echo "${__mk_v%%=*}=\"${__mk_v#*=}\""
        done
    )
    eval "$__mk_decl"
    for __mk_n in "${__mk_watch[@]}"; do
        local -n __mk_w=$__mk_n
        (( ${#__mk_w[@]} )) && __mk_set+="$__mk_n "
        unset -n __mk_w
    done
    printf '%s\0' F "$1" "${__mk_set% }" >&3
}
__mk_dump() {
    local __mk_n __mk_i
    for __mk_n in "${__mk_names[@]}"; do
        local -n __mk_r=$__mk_n
        for __mk_i in "${!__mk_r[@]}"; do
            printf '%s\0' V "$__mk_n" "$__mk_i" "${__mk_r[$__mk_i]}" >&3
        done
        unset -n __mk_r
    done
}
)BASH";

bool is_identifier(const std::string& s) {
    if (s.empty() || (std::isdigit(static_cast<unsigned char>(s[0])) != 0)) return false;
    for (char c : s)
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
    return true;
}

std::string build_script(const EvalRequest& req) {
    std::string s = "exec 3>&1 1>&2\nshopt -s extglob\n";
    for (const auto& [name, value] : req.globals)
        s += name + "=" + shell_quote(value) + "\n";
    s += "__mk_names=(";
    for (const auto& n : req.names)
        s += " " + n;
    s += " )\n__mk_watch=(";
    for (const auto& n : req.watch)
        s += " " + n;
    s += " )\n";
    if (req.reset_names) s += "for __mk_n in \"${__mk_names[@]}\"; do unset \"$__mk_n\"; done\n";
    s += k_functions;
    for (const auto& f : req.files)
        s += "[ -e " + shell_quote(f) + " ] && __mk_safe_source " + shell_quote(f) + "\n";
    for (const auto& [name, value] : req.directives)
        if (is_identifier(name)) s += "export " + name + "=" + shell_quote(value) + "\n";
    s += "__mk_dump\n";
    return s;
}

// Splits the captured output into NUL-terminated fields.
std::vector<std::string_view> fields_of(std::string_view out) {
    std::vector<std::string_view> fields;
    size_t start = 0;
    for (size_t i = 0; i < out.size(); ++i) {
        if (out[i] == '\0') {
            fields.push_back(out.substr(start, i - start));
            start = i + 1;
        }
    }
    return fields;
}

} // namespace

util::Expected<EvalResult> evaluate_files(const EvalRequest& request) {
    ShellCommand cmd;
    cmd.script = build_script(request);
    cmd.cwd = request.cwd;
    auto captured = capture_shell(cmd);
    if (!captured) return util::fail(captured.error());
    EvalResult result;
    std::vector<std::string_view> f = fields_of(captured->out);
    for (size_t i = 0; i < f.size();) {
        if (f[i] == "F" && i + 2 < f.size()) {
            std::vector<std::string> names;
            std::string_view list = f[i + 2];
            size_t p = 0;
            while (p < list.size()) {
                size_t q = list.find(' ', p);
                if (q == std::string_view::npos) q = list.size();
                if (q > p) names.emplace_back(list.substr(p, q - p));
                p = q + 1;
            }
            result.watched.emplace_back(std::string(f[i + 1]), std::move(names));
            i += 3;
        } else if (f[i] == "V" && i + 3 < f.size()) {
            long long index = std::strtoll(std::string(f[i + 2]).c_str(), nullptr, 10);
            result.vars.set(std::string(f[i + 1]), index, std::string(f[i + 3]));
            i += 4;
        } else {
            return util::fail(util::ErrorKind::Corrupt, 0, "", "unexpected output from bash");
        }
    }
    if (captured->status != 0)
        return util::fail(util::ErrorKind::Invalid, 0,
                          request.files.empty() ? "" : request.files[0],
                          "bash exited with status " + std::to_string(captured->status));
    return result;
}

} // namespace modkit::dkms
