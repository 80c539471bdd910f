// The bash completion script: the option tables as associative arrays and one function that
// completes options, their values (paths, kernels, modules of the index, loaded modules, DKMS
// module/version pairs) and each tool's operands and subcommands from them.
#include "cli/completion_data.hpp"
#include "cli/docgen.hpp"

namespace modkit::cli {

namespace {

std::string quoted(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// The runtime part: value sources and the completion function. Kept free of any tool's
// details, which are all in the arrays before it.
constexpr std::string_view k_functions = R"BASH(
# The root (-b/-d/--basedir/--dirname/--root) and kernel (-S/-k/--set-version/--kernel)
# already on the command line, so completions follow what the tool will read.
_modkit_context() {
    local i w root=/ kver=
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
        -b | -d | --basedir | --dirname | --root) root=${COMP_WORDS[i + 1]} ;;
        --basedir=* | --dirname=* | --root=*) root=${w#*=} ;;
        -S | -k | --set-version | --kernel | --kernelver) kver=${COMP_WORDS[i + 1]} ;;
        --set-version=* | --kernel=* | --kernelver=*) kver=${w#*=} ;;
        esac
    done
    [[ -n $kver ]] || kver=$(uname -r)
    _modkit_root=${root%/}
    _modkit_kver=$kver
}

_modkit_index_modules() {
    local dir=$_modkit_root/lib/modules/$_modkit_kver f
    for f in "$dir/modules.dep" "$dir/modules.builtin"; do
        [[ -r $f ]] && sed -e 's/:.*//' -e 's|.*/||' -e 's/\.ko\(\.[a-z]*\)\{0,1\}$//' "$f"
    done
}

_modkit_kind() {
    local kind=$1 cur=$2
    case $kind in
    file)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        ;;
    directory)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$cur"))
        ;;
    kernel)
        _modkit_context
        COMPREPLY=($(compgen -W "$(command ls "$_modkit_root/lib/modules" 2>/dev/null)" -- "$cur"))
        ;;
    module)
        # modprobe -r and explain -r name loaded modules.
        if [[ " ${COMP_WORDS[*]:1:COMP_CWORD-1} " == *" -r "* || " ${COMP_WORDS[*]:1:COMP_CWORD-1} " == *" --remove "* ]]; then
            _modkit_kind loaded "$cur"
            return
        fi
        _modkit_context
        COMPREPLY=($(compgen -W "$(_modkit_index_modules)" -- "$cur"))
        ;;
    loaded)
        COMPREPLY=($(compgen -W "$(cut -d' ' -f1 /proc/modules 2>/dev/null)" -- "$cur"))
        ;;
    modfile)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -X '!*.ko*' -- "$cur") $(compgen -d -- "$cur"))
        ;;
    module-or-file)
        if [[ $cur == */* || $cur == .* ]]; then _modkit_kind modfile "$cur"; else _modkit_kind module "$cur"; fi
        ;;
    dkms)
        local tree=/var/lib/dkms i
        for ((i = 1; i < COMP_CWORD; i++)); do
            case ${COMP_WORDS[i]} in
            --dkmstree) tree=${COMP_WORDS[i + 1]} ;;
            --dkmstree=*) tree=${COMP_WORDS[i]#*=} ;;
            esac
        done
        COMPREPLY=($(compgen -W "$(cd "$tree" 2>/dev/null && for m in */*/source; do [[ -e $m ]] && echo "${m%/source}"; done)" -- "$cur"))
        ;;
    arch)
        COMPREPLY=($(compgen -W "$(uname -m)" -- "$cur"))
        ;;
    esac
}

_modkit() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local tool=${COMP_WORDS[0]##*/} first=1 i w
    COMPREPLY=()
    if [[ $tool == modkit ]]; then
        if ((COMP_CWORD == 1)); then
            COMPREPLY=($(compgen -W "$_modkit_tools --help --version" -- "$cur"))
            return
        fi
        tool=${COMP_WORDS[1]}
        first=2
    fi
    [[ -n ${_modkit_opts[$tool]+set} || -n ${_modkit_subs[$tool]+set} ]] || return
    # The subcommand: the first word that names one (values of options are skipped).
    local key=$tool sub=
    if [[ -n ${_modkit_subs[$tool]} ]]; then
        for ((i = first; i < COMP_CWORD; i++)); do
            w=${COMP_WORDS[i]}
            if [[ " ${_modkit_vals[$tool]} " == *" $w:"* ]]; then
                ((i++))
                continue
            fi
            if [[ " ${_modkit_subs[$tool]} " == *" $w "* ]]; then
                sub=$w
                key="$tool $sub"
                break
            fi
        done
    fi
    # A value after an option (`-k K`, `--kernel K`, `--kernel=K`).
    local opt=$prev
    if [[ $cur == --*=* ]]; then
        opt=${cur%%=*}
        cur=${cur#*=}
    elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
        opt=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    local v
    for v in ${_modkit_vals[$key]}; do
        if [[ ${v%:*} == "$opt" && $opt == -* ]]; then
            _modkit_kind "${v##*:}" "$cur"
            return
        fi
    done
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "${_modkit_opts[$key]}" -- "$cur"))
        [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
        return
    fi
    if [[ -n ${_modkit_subs[$tool]} && -z $sub ]]; then
        COMPREPLY=($(compgen -W "${_modkit_subs[$tool]}" -- "$cur"))
        return
    fi
    _modkit_kind "${_modkit_args[$key]}" "$cur"
}
)BASH";

} // namespace

std::string bash_completion() {
    std::string out = "# bash completion for modkit and the tools it provides (modprobe, insmod, "
                      "rmmod,\n# lsmod, modinfo, depmod, kmod, dkms, weak-modules...).\n"
                      "# Generated by modkit-docgen from modkit's option tables: do not edit.\n\n";
    out += "_modkit_tools=";
    std::string names;
    for (const ToolOptions& t : all_tool_options()) {
        if (!names.empty()) names += ' ';
        names += t.tool;
    }
    out += quoted(names) + "\n";
    const auto entries = completion_entries();
    for (const char* array : {"_modkit_opts", "_modkit_vals", "_modkit_args", "_modkit_subs"}) {
        out += "declare -gA ";
        out += array;
        out += "=(\n";
        for (const CompletionEntry& e : entries) {
            std::string_view a = array;
            std::string value;
            if (a == "_modkit_opts") {
                for (const std::string& w : e.offered)
                    value += (value.empty() ? "" : " ") + w;
            } else if (a == "_modkit_vals") {
                for (const auto& [w, kind] : e.values)
                    value += (value.empty() ? "" : " ") + w + ":" + std::string(kind_word(kind));
            } else if (a == "_modkit_args") {
                value = std::string(kind_word(e.operands));
            } else {
                for (const Subcommand& s : e.subcommands)
                    value += (value.empty() ? "" : " ") + std::string(s.name);
            }
            out += "    [" + quoted(e.key) + "]=" + quoted(value) + "\n";
        }
        out += ")\n";
    }
    out += k_functions;
    out += "\ncomplete -F _modkit modkit";
    for (const ToolOptions& t : all_tool_options())
        if (is_link_name(t.tool)) out += " " + std::string(t.tool);
    out += "\n";
    return out;
}

} // namespace modkit::cli
